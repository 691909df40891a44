"""Van der Pol oscillator integrated by RK4, the right-hand side receiving extra parameters via *args.

Features: func-arg, varargs, star-call, loop
"""
import numpy as np


def van_der_pol(t, y, mu, omega):
    x, v = y[0], y[1]
    return np.array([v, mu * (1 - x ** 2) * v - omega ** 2 * x])


def rk4_step(f, t, y, dt, *args):
    k1 = f(t, y, *args)
    k2 = f(t + dt / 2, y + dt / 2 * k1, *args)
    k3 = f(t + dt / 2, y + dt / 2 * k2, *args)
    k4 = f(t + dt, y + dt * k3, *args)
    return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def integrate(f, y0, t0, t1, n_steps, *args):
    dt = (t1 - t0) / n_steps
    y, t = y0, t0
    trajectory = [y0]
    for _ in range(n_steps):
        y = rk4_step(f, t, y, dt, *args)
        t = t + dt
        trajectory.append(y)
    return np.stack(trajectory)


def trajectory_loss(theta, y0, observed):
    traj = integrate(van_der_pol, y0, 0.0, 3.0, len(observed) - 1, *theta)
    return np.sum((traj[:, 0] - observed) ** 2)


def cases():
    rng = np.random.default_rng(38)
    y0 = np.array([1.0, 0.0])
    observed = integrate(van_der_pol, y0, 0.0, 3.0, 15, 0.8, 1.2)[:, 0] + 0.01 * rng.normal(size=16)
    theta = np.array([0.6, 1.0])
    return [
        dict(fn=trajectory_loss, args=(theta, y0, observed), wrt=0, name="vdp_theta"),
        dict(fn=trajectory_loss, args=((0.6, 1.0), y0, observed), wrt=(0, 1), name="vdp_tuple_theta_and_y0"),
    ]
