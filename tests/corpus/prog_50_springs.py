"""Mass-spring network: elastic energy summed over springs, and an unrolled relaxation to a target.

Features: genexpr-consumer, star-call, func-arg, loop, inplace
"""
import numpy as np

SPRINGS = [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0), (0, 2, 1.4), (1, 3, 1.4), (3, 4, 0.8)]


def spring_energy(x, i, j, rest, k):
    d = x[i] - x[j]
    return 0.5 * k * (np.sqrt(np.sum(d ** 2)) - rest) ** 2


def elastic_energy(x, stiffness, springs=SPRINGS):
    return sum(spring_energy(x, *spring, k) for spring, k in zip(springs, stiffness))


def gravity_energy(x, g=0.3):
    return g * np.sum(x[:, 1])


def spring_forces(x, stiffness, springs=SPRINGS):
    f = np.zeros(x.shape)
    for (i, j, rest), k in zip(springs, stiffness):
        d = x[i] - x[j]
        r = np.sqrt(np.sum(d ** 2))
        fij = -k * (r - rest) * d / r
        f[i] += fij
        f[j] -= fij
    return f


def relax(x, stiffness, forces, n_steps=20, lr=0.05, pinned=(0, 1)):
    free = np.ones((len(x), 1))
    free[list(pinned)] = 0.0
    for _ in range(n_steps):
        x = x + lr * free * forces(x, stiffness)
    return x


def design_loss(log_stiffness, x0, target):
    """Choose spring stiffnesses so that node 4 settles near the target."""
    x = relax(x0, np.exp(log_stiffness), spring_forces)
    return np.sum((x[4] - target) ** 2)


def total_energy(x, stiffness):
    return elastic_energy(x, stiffness) + gravity_energy(x)


def cases():
    rng = np.random.default_rng(50)
    x0 = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [-0.5, 1.5]]) + 0.1 * rng.normal(size=(5, 2))
    stiffness = 1.0 + rng.uniform(size=len(SPRINGS))
    return [
        dict(fn=total_energy, args=(x0, stiffness), wrt=(0, 1), name="energy"),
        dict(fn=design_loss, args=(np.log(stiffness), x0, np.array([-0.3, 1.2])), wrt=0, name="design"),
    ]
