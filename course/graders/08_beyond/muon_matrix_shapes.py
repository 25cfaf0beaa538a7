"""08_beyond, exercise 5 (2 points): which parameters Muon updates, and as which matrix."""

import numpy as np
from autograder.exercise import Case, Exercise, Mistakes

EXCLUDED = ("embed", "head", "classifier")


def reference(names, shapes):
    """Keller Jordan's rule: Muon for hidden weights with at least 2 dimensions, a conv
    kernel (out, in, kh, kw) seen as the matrix (out, in * kh * kw); AdamW (row [0, 0]) for
    1-D parameters and for the embedding and the output layer (names containing 'embed',
    'head' or 'classifier', in any case). One row [rows, cols] per parameter."""
    rows = []
    for name, shape in zip(names, shapes, strict=True):
        if len(shape) < 2 or any(word in name.lower() for word in EXCLUDED):
            rows.append([0, 0])
        else:
            rows.append([shape[0], int(np.prod(shape[1:]))])
    return np.array(rows, dtype=int).reshape(len(rows), 2)


LAYERS = [
    ("conv{}.weight", lambda r: [int(r.integers(8, 65)), int(r.integers(3, 65)), 3, 3]),
    ("block{}.conv.weight", lambda r: [int(r.integers(8, 65)), int(r.integers(3, 65)), 1, 1]),
    ("bn{}.weight", lambda r: [int(r.integers(8, 65))]),
    ("bn{}.bias", lambda r: [int(r.integers(8, 65))]),
    ("fc{}.weight", lambda r: [int(r.integers(8, 257)), int(r.integers(8, 257))]),
    ("fc{}.bias", lambda r: [int(r.integers(8, 257))]),
    ("layers.{}.attn.qkv.weight", lambda r: [3 * int(r.integers(8, 65)), int(r.integers(8, 65))]),
    ("layers.{}.norm.weight", lambda r: [int(r.integers(8, 65))]),
    ("Embedding{}.weight", lambda r: [int(r.integers(100, 5000)), int(r.integers(8, 65))]),
    ("token_embed{}.weight", lambda r: [int(r.integers(100, 5000)), int(r.integers(8, 65))]),
    ("lm_head{}.weight", lambda r: [int(r.integers(100, 5000)), int(r.integers(8, 65))]),
    ("Classifier{}.weight", lambda r: [10, int(r.integers(8, 257))]),
    ("conv1d_{}.kernel", lambda r: [int(r.integers(8, 65)), int(r.integers(3, 65)), 5]),
]


def draw_hidden(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(4):
        picks = rng.choice(len(LAYERS), size=int(rng.integers(6, 12)))
        picks[:4] = (0, 8, 11, 2)  # a conv, an embedding, a head, a norm in every draw
        names = [LAYERS[p][0].format(i) for i, p in enumerate(picks)]
        shapes = [LAYERS[p][1](rng) for p in picks]
        order = rng.permutation(len(names))
        cases.append(Case(([names[i] for i in order], [shapes[i] for i in order])))
    return cases


def assign(
    names,
    shapes,
    *,
    adamw=lambda name, shape: len(shape) < 2 or any(w in name.lower() for w in EXCLUDED),
    matrix=lambda s: [s[0], int(np.prod(s[1:]))],
):
    rows = [[0, 0] if adamw(n, s) else matrix(s) for n, s in zip(names, shapes, strict=True)]
    return np.array(rows, dtype=int).reshape(len(rows), 2)


mistakes = Mistakes()


@mistakes.add(
    "the embedding and the output layer (names with 'embed', 'head' or 'classifier') are "
    "matrices too, but Muon is for the HIDDEN layers: they go to AdamW."
)
def shape_only(names, shapes):
    return assign(names, shapes, adamw=lambda name, shape: len(shape) < 2)


@mistakes.add(
    "a conv kernel (out, in, kh, kw) is a hidden layer too: Muon flattens its last three "
    "dimensions into the matrix (out, in * kh * kw)."
)
def conv_excluded(names, shapes):
    return assign(
        names,
        shapes,
        adamw=lambda name, shape: len(shape) != 2 or any(w in name.lower() for w in EXCLUDED),
    )


@mistakes.add(
    "keep the first dimension (the outputs) as the rows: a kernel (out, in, kh, kw) becomes "
    "(out, in * kh * kw), not (out * in * kh, kw)."
)
def flattened_the_wrong_way(names, shapes):
    return assign(names, shapes, matrix=lambda s: [int(np.prod(s[:-1])), s[-1]])


@mistakes.add(
    "names come in any case ('Embedding', 'Classifier'): compare name.lower() with "
    "'embed', 'head' and 'classifier'."
)
def case_sensitive(names, shapes):
    return assign(
        names, shapes, adamw=lambda name, shape: len(shape) < 2 or any(w in name for w in EXCLUDED)
    )


EXERCISE = Exercise(
    name="muon_matrix_shapes",
    reference=reference,
    visible=(
        # the course's CNN: two convs, two dense layers, their biases
        Case(
            (
                [
                    "conv1.weight",
                    "conv1.bias",
                    "conv2.weight",
                    "conv2.bias",
                    "fc1.weight",
                    "fc1.bias",
                    "classifier.weight",
                    "classifier.bias",
                ],
                [[4, 3, 3, 3], [4], [8, 4, 3, 3], [8], [16, 1568], [16], [10, 16], [10]],
            )
        ),
        # a small transformer block
        Case(
            (
                [
                    "Embedding.weight",
                    "layers.0.norm.weight",
                    "layers.0.attn.qkv.weight",
                    "layers.0.attn.out.weight",
                    "layers.0.mlp.fc.weight",
                    "lm_head.weight",
                ],
                [[5000, 64], [64], [192, 64], [64, 64], [256, 64], [5000, 64]],
            )
        ),
        # a ResNet's pieces, 1x1 convs and batch norms among them
        Case(
            (
                [
                    "prep.conv.weight",
                    "prep.bn.weight",
                    "prep.bn.bias",
                    "layer1.conv.weight",
                    "layer1.res.conv1x1.weight",
                    "Head.weight",
                ],
                [[16, 3, 3, 3], [16], [16], [32, 16, 3, 3], [32, 32, 1, 1], [10, 128]],
            )
        ),
    ),
    draw_hidden=draw_hidden,
    mistakes=tuple(mistakes),
)
