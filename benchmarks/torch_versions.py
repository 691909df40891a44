"""The workloads of bench_peers.py written with PyTorch (each takes the
`torch` module first, so importing this file does not import PyTorch)."""


def scalar_loop(torch, x, n):
    for _ in range(n):
        x = torch.sin(x) * 0.9 + 0.1 * x * x
    return x


def mlp_small(torch, W1, b1, W2, b2, X, y):
    h = torch.tanh(X @ W1 + b1)
    r = h @ W2 + b2 - y
    return torch.mean(r * r)


def mlp(torch, W1, b1, W2, b2, X, Y):
    h = torch.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    s = logits - torch.amax(logits, dim=1, keepdim=True)
    lse = torch.log(torch.sum(torch.exp(s), dim=1, keepdim=True))
    return -torch.sum(Y * (s - lse)) / X.shape[0]


def rnn(torch, W, U, h, x):
    for t in range(x.shape[0]):
        h = torch.tanh(W @ h + U @ x[t])
    return torch.sum(h)


def while_branch(torch, x, a):
    s = 0.0
    while x < 10.0:
        if x > a:
            s = s + torch.sin(x) * x
        else:
            s = s + x * x * 0.5
        x = x * 1.1 + 0.05
    return s + x


def logreg_len_max(torch, w, X, y):
    p = 1.0 / (1.0 + torch.exp(-(X @ w)))
    nll = -torch.sum(y * torch.log(p) + (1.0 - y) * torch.log(1.0 - p)) / len(y)
    return nll + 0.1 * max(torch.sum(w * w), 1.0)


def two_line(torch, x, y):
    a = torch.sin(x) * y + x * x
    return torch.exp(-a) + a * y
