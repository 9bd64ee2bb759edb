"""The ``convtranspose`` plugin: PyTorch's ConvTranspose2d arithmetic, precomputed for a D3 explorer.

Public API (pure NumPy, matching ``torch.nn.functional.conv_transpose2d``)::

    from generator.plugins.convtranspose import output_shape, conv_transpose2d, contributions
"""

from generator.plugins.convtranspose.arithmetic import (
    OUTPUT_PADDING_RULE,
    OUTPUT_SIZE_RULE,
    Params,
    Rule,
    border_padding,
    broken_rule,
    contributions,
    conv2d,
    conv_form,
    conv_matrix,
    conv_transpose2d,
    conv_transpose_matrix,
    dilate_kernel,
    expanded_input,
    flip_kernel,
    gather_1d,
    insert_zeros,
    output_length,
    output_shape,
    pad_or_crop,
    params,
    scatter_1d,
    validate,
)

__all__ = [
    "OUTPUT_PADDING_RULE", "OUTPUT_SIZE_RULE", "Params", "Rule", "border_padding", "broken_rule",
    "contributions", "conv2d", "conv_form", "conv_matrix", "conv_transpose2d", "conv_transpose_matrix",
    "dilate_kernel", "expanded_input", "flip_kernel", "gather_1d", "insert_zeros", "output_length",
    "output_shape", "pad_or_crop", "params", "scatter_1d", "validate",
]
