"""A torch.nn.Conv1d explorer for Stride: the worked example of docs/plugins.md.

``receptive`` holds the maths (NumPy), ``options`` checks a widget declaration, ``plugin`` is the
hook class the ``stride.plugins`` entry point names; ``assets/`` and ``templates/`` are its front
end, shipped as package data.
"""
