"""The matrices the transposed-convolution post writes out, generated from Stride's API.

Run ``python -m tests.example_site.matrices`` to print the LaTeX to paste into the post; the tests
check that every ``bmatrix`` in the post is one of these, character for character (after
whitespace), so the post cannot drift from the arithmetic.

The kernel is symbolic, one letter per tap read row by row (``a b c / d e f / g h i``): single
letters keep the 16-column matrix narrow enough for the text column (``w_{0,0}`` entries made it
1,046 px wide against 664 px). To build its matrices with the numeric API, each tap gets a
distinct code ``1 + row·k + column``; a matrix entry with code ``c`` is printed as the letter of
the tap it came from, and 0 stays 0.
"""

from __future__ import annotations

import numpy as np

from generator.plugins.convtranspose import conv_matrix, conv_transpose_matrix

K = 3  # the post's kernel is 3×3
LETTERS = "abcdefghi"  # tap (row, column) -> LETTERS[row * K + column]


def kernel_codes(k: int = K) -> np.ndarray:
    return (np.arange(k * k) + 1).reshape(k, k)


def _tap(code: int) -> str:
    return "0" if code == 0 else LETTERS[int(code) - 1]


def bmatrix(rows: list[list[str]]) -> str:
    body = " \\\\\n".join(" & ".join(row) for row in rows)
    return "\\begin{bmatrix}\n" + body + "\n\\end{bmatrix}"


def symbolic(matrix: np.ndarray) -> str:
    return bmatrix([[_tap(c) for c in row] for row in np.rint(matrix).astype(int)])


def variables(name: str, shape: tuple[int, int]) -> np.ndarray:
    """Names ``x_{i,j}`` in a grid of ``shape``."""
    return np.array([[f"{name}_{{{i},{j}}}" for j in range(shape[1])] for i in range(shape[0])])


def post_matrices() -> dict[str, str]:
    """Every matrix of the post, by what it is."""
    w = kernel_codes()
    conv = conv_matrix((4, 4), w)  # 4×16: the 3×3 kernel over a 4×4 input, stride 1, no padding
    transposed = conv_transpose_matrix((2, 2), w)  # 16×4: the map from a 2×2 input back to 4×4
    assert np.array_equal(transposed, conv.T)
    x = variables("x", (4, 4))
    taps = np.array(list(LETTERS)).reshape(K, K)
    flipped = np.rot90(taps, 2)  # 180°
    padded_input = np.full((6, 6), "0", dtype=object)
    padded_input[2:4, 2:4] = variables("x", (2, 2))
    return {
        "kernel": bmatrix(taps.tolist()),
        "input 4x4": bmatrix(x.tolist()),
        # x~ is written as its four rows one after the other (16 entries in a row do not fit)
        "flattened input, by rows": bmatrix([[f"x_{{{i},:}}" for i in range(4)]]),
        "row r of the input": bmatrix([[f"x_{{r,{j}}}" for j in range(4)]]),
        "conv matrix 4x16": symbolic(conv),
        "transposed matrix 16x4": symbolic(transposed),
        "input 2x2": bmatrix(variables("x", (2, 2)).tolist()),
        "padded 2x2 input": bmatrix(padded_input.tolist()),
        "flipped kernel": bmatrix(flipped.tolist()),
    }


if __name__ == "__main__":
    for name, latex in post_matrices().items():
        print(f"% {name}\n{latex}\n")
