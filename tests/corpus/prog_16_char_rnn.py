"""Character-level RNN language model: embeddings via map, log-softmax written by hand.

Features: map, lambda, dict-params, loop, closure
"""
import numpy as np

VOCAB = "helo "


def log_softmax(logits):
    shifted = logits - np.max(logits)
    return shifted - np.log(np.sum(np.exp(shifted)))


def char_rnn_nll(params, text):
    ids = [VOCAB.index(ch) for ch in text]
    embed = lambda i: params["E"][i]
    inputs = list(map(embed, ids[:-1]))
    h = np.zeros(params["Wh"].shape[0])
    nll = 0.0
    for x, target in zip(inputs, ids[1:]):
        h = np.tanh(params["Wx"] @ x + params["Wh"] @ h + params["b"])
        logp = log_softmax(params["Wo"] @ h + params["bo"])
        nll = nll - logp[target]
    return nll / (len(ids) - 1)


def init(rng, vocab, n_embed, n_hidden):
    return {"E": 0.5 * rng.normal(size=(vocab, n_embed)),
            "Wx": 0.5 * rng.normal(size=(n_hidden, n_embed)),
            "Wh": 0.5 * rng.normal(size=(n_hidden, n_hidden)),
            "b": np.zeros(n_hidden),
            "Wo": 0.5 * rng.normal(size=(vocab, n_hidden)),
            "bo": np.zeros(vocab)}


def cases():
    rng = np.random.default_rng(16)
    params = init(rng, len(VOCAB), 3, 3)
    return [dict(fn=char_rnn_nll, args=(params, "hello hole"), wrt=0, name="char_rnn")]
