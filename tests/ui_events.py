"""The window for its tests, and real input: a click in the middle of a widget's rect, a
key press, each followed by one frame of the loop."""

from __future__ import annotations

import contextlib

import pygame


@contextlib.contextmanager
def window(save_path=None, *, seed: int = 1, people=()):
    """The game window on baseline_2025: the title screen, or a game already started when
    `people` name the seats people play."""
    from game.ui.app import Control
    pygame.init()
    try:
        c = Control(scenario="baseline_2025", seed=seed, humans=[], save_path=save_path)
        if people:
            c.start_game(list(people))
        yield c
    finally:
        pygame.quit()


def click(control, rect) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pygame.Rect(rect).center))
    control.frame()


def key(control, k, mod=0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=""))
    control.frame()


def resolve(control) -> None:
    """Frames until the turn being resolved has been played (fails after 3000 frames)."""
    main = control.scenes["main"]
    for _ in range(3000):
        control.frame()
        if not main.resolver:
            return
    raise AssertionError("the turn did not resolve")
