"""The NumPy arithmetic against PyTorch: values, contribution maps, rules and the three forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.plugins.convtranspose import (
    border_padding,
    contributions,
    conv2d,
    conv_form,
    conv_matrix,
    conv_transpose2d,
    conv_transpose_matrix,
    dilate_kernel,
    expanded_input,
    flip_kernel,
    insert_zeros,
    output_shape,
)
from tests.plugins.convtranspose.reference import torch_contributions, torch_conv_transpose2d

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def settings_2d(draw, valid_only=False):
    """Per-axis parameters (rows and cols drawn independently), often invalid unless ``valid_only``."""
    pick = lambda lo, hi: (draw(st.integers(lo, hi)), draw(st.integers(lo, hi)))
    shape, kernel = pick(1, 6), pick(1, 4)
    stride, padding, dilation = pick(1, 4), pick(0, 4), pick(1, 3)
    output_padding = pick(0, 3)
    if valid_only:
        output_padding = tuple(min(o, max(s, d) - 1) for o, s, d in zip(output_padding, stride, dilation))
        # Shrink padding until the output exists; padding 0 always gives an output.
        padding = tuple(min(p, ((n - 1) * s + d * (k - 1) + o) // 2)
                        for p, n, s, d, k, o in zip(padding, shape, stride, dilation, kernel, output_padding))
    return shape, kernel, stride, padding, output_padding, dilation


def _sample(rng, shape):
    return rng.integers(-4, 5, size=shape)


@FAST
@given(settings_2d(), st.integers(0, 2**32 - 1))
def test_values_and_rules_match_torch(setting, seed):
    shape, kernel, stride, padding, output_padding, dilation = setting
    rng = np.random.default_rng(seed)
    x, w = _sample(rng, shape), _sample(rng, kernel)
    expected, torch_error = torch_conv_transpose2d(x, w, stride, padding, output_padding, dilation)
    if torch_error is not None:
        with pytest.raises(ValueError) as info:
            conv_transpose2d(x, w, stride, padding, output_padding, dilation)
        assert str(info.value).startswith(torch_error)
        with pytest.raises(ValueError):
            output_shape(shape, kernel, stride, padding, output_padding, dilation)
        return
    y = conv_transpose2d(x, w, stride, padding, output_padding, dilation)
    assert y.shape == expected.shape == output_shape(shape, kernel, stride, padding, output_padding, dilation)
    np.testing.assert_array_equal(y, expected)


@FAST
@given(settings_2d(valid_only=True))
def test_contribution_maps_match_torch(setting):
    shape, kernel, stride, padding, output_padding, dilation = setting
    ours = contributions(shape, kernel, stride, padding, output_padding, dilation)
    assert ours == torch_contributions(shape, kernel, stride, padding, output_padding, dilation)


@FAST
@given(settings_2d(valid_only=True), st.integers(0, 2**32 - 1))
def test_direct_conv_and_matrix_forms_agree(setting, seed):
    shape, kernel, stride, padding, output_padding, dilation = setting
    rng = np.random.default_rng(seed)
    x, w = _sample(rng, shape), _sample(rng, kernel)
    direct = conv_transpose2d(x, w, stride, padding, output_padding, dilation)
    np.testing.assert_array_equal(conv_form(x, w, stride, padding, output_padding, dilation), direct)
    m = conv_transpose_matrix(shape, w, stride, padding, output_padding, dilation)
    np.testing.assert_array_equal((m @ x.ravel()).reshape(direct.shape), direct)
    # M is the adjoint of conv2d on the output shape, restricted to conv outputs inside x's shape.
    c = conv_matrix(direct.shape, w, stride, padding, dilation)
    conv_out = conv2d(np.zeros(direct.shape), w, stride, padding, dilation).shape
    keep = (np.arange(conv_out[0])[:, None] < shape[0]) & (np.arange(conv_out[1])[None, :] < shape[1])
    np.testing.assert_array_equal(c[keep.ravel()].T, m)


@FAST
@given(settings_2d(valid_only=True), st.integers(0, 2**32 - 1))
def test_adjoint_identity(setting, seed):
    """<conv2d(Y), X> = <Y, conv_transpose2d(X)>, with conv2d(Y) cut to X's shape: when
    output_padding ≥ stride (allowed by a larger dilation) conv2d of the output has extra cells."""
    shape, kernel, stride, padding, output_padding, dilation = setting
    rng = np.random.default_rng(seed)
    x, w = _sample(rng, shape), _sample(rng, kernel)
    tx = conv_transpose2d(x, w, stride, padding, output_padding, dilation)
    y = _sample(rng, tx.shape)
    cy = conv2d(y, w, stride, padding, dilation)
    assert cy.shape[0] >= shape[0] and cy.shape[1] >= shape[1]
    assert np.sum(cy[: shape[0], : shape[1]] * x) == np.sum(y * tx)
    if all(o < s for o, s in zip(np.broadcast_to(output_padding, 2), np.broadcast_to(stride, 2))):
        assert cy.shape == x.shape


@FAST
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4), st.integers(1, 4), st.integers(0, 4),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_conv2d_matches_torch(h, w_, k, s, p, d, dw, seed):
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(seed)
    x, w = _sample(rng, (h, w_)), _sample(rng, (k, k))
    try:
        ref = F.conv2d(torch.tensor(x, dtype=torch.float64)[None, None], torch.tensor(w, dtype=torch.float64)[None, None],
                       stride=s, padding=p, dilation=(d, dw))[0, 0].numpy()
    except RuntimeError:
        with pytest.raises(ValueError):
            conv2d(x, w, s, p, (d, dw))
        return
    np.testing.assert_array_equal(conv2d(x, w, s, p, (d, dw)), ref)
    c = conv_matrix((h, w_), w, s, p, (d, dw))
    np.testing.assert_array_equal((c @ x.ravel()).reshape(ref.shape), ref)


def test_conv_form_pieces_on_the_posts_example():
    """The post's example: 2×2 input, 3×3 kernel, stride 2, padding 1, output padding 1."""
    x = np.array([[1, 2], [3, 4]])
    w = np.arange(1, 10).reshape(3, 3)
    z = insert_zeros(x, 2)
    np.testing.assert_array_equal(z, [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    assert border_padding(3, 1, 1, 1) == ((1, 2), (1, 2))
    xe = expanded_input(x, (3, 3), 2, 1, 1, 1)
    assert xe.shape == (6, 6)
    np.testing.assert_array_equal(xe[1:4, 1:4], z)
    assert xe.sum() == x.sum()
    np.testing.assert_array_equal(flip_kernel(w), w[::-1, ::-1])
    np.testing.assert_array_equal(dilate_kernel(np.ones((2, 2), int), 3), [[1, 0, 0, 1], [0] * 4, [0] * 4, [1, 0, 0, 1]])
    # The post's matrices: W̃ᵀ is 16×4 for the 2×2 input (stride 1, no padding), W̃ is 4×16 for 4×4.
    m = conv_transpose_matrix((2, 2), w)
    assert m.shape == (16, 4)
    np.testing.assert_array_equal(m, conv_matrix((4, 4), w).T)


def test_negative_border_padding_crops():
    """padding > d·(k−1) gives a negative p′: the zero-inserted input is cropped, not padded."""
    x = np.arange(1, 10).reshape(3, 3)
    assert border_padding(2, 2, 0, 1) == ((-1, -1), (-1, -1))
    xe = expanded_input(x, 2, 2, 2, 0, 1)
    np.testing.assert_array_equal(xe, [[0, 0, 0], [0, 5, 0], [0, 0, 0]])
    w = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(conv_form(x, w, 2, 2, 0, 1), conv_transpose2d(x, w, 2, 2, 0, 1))


RULE_CASES = [
    (dict(padding=-1), "negative padding is not supported"),
    (dict(output_padding=(0, -1)), "negative output_padding is not supported"),
    (dict(stride=(0, 1)), "non-positive stride is not supported"),
    (dict(kernel_shape=(0, 2)), "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 2"),
    (dict(dilation=(1, 0)), "dilation should be greater than zero, but got dilation_height: 1, dilation_width: 0"),
    (dict(stride=2, output_padding=(1, 2)), "output padding must be smaller than either stride or dilation, but got "
     "output_padding_height: 1 output_padding_width: 2 stride_height: 2 stride_width: 2 "
     "dilation_height: 1 dilation_width: 1"),
    (dict(input_shape=(2, 3), kernel_shape=(1, 1), padding=1),
     "Given input size per channel: (2 x 3). Calculated output size per channel: (0 x 1). Output size is too small"),
]


@pytest.mark.parametrize("change, message", RULE_CASES)
def test_each_rule_has_torchs_message(change, message):
    args = dict(input_shape=(3, 3), kernel_shape=(3, 3), stride=1, padding=0, output_padding=0, dilation=1) | change
    with pytest.raises(ValueError) as ours:
        output_shape(**args)
    assert str(ours.value).startswith(message)
    x, w = np.ones(args.pop("input_shape")), np.ones(args.pop("kernel_shape"))
    _, torch_error = torch_conv_transpose2d(x, w, **args)
    assert torch_error is not None
    # Where torch's text has no values we append them; the rule's own words are torch's.
    assert str(ours.value).startswith(torch_error) or message.startswith(torch_error)


def test_output_padding_below_dilation_is_accepted_even_when_not_below_stride():
    assert output_shape((3, 3), 3, stride=1, output_padding=1, dilation=2) == (8, 8)
    with pytest.raises(ValueError, match="output padding must be smaller"):
        output_shape((3, 3), 3, stride=1, output_padding=2, dilation=2)


def test_bad_argument_types_are_value_errors():
    with pytest.raises(ValueError, match="pair of ints"):
        output_shape((3, 3), 3, stride=(1, 2, 3))
    with pytest.raises(ValueError, match="2-D"):
        conv_transpose2d(np.ones(3), np.ones((2, 2)))
