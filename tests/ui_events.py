"""Real input for the window's tests: a click in the middle of a widget's rect, a key press,
each followed by one frame of the loop."""

from __future__ import annotations

import pygame


def click(control, rect) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=pygame.Rect(rect).center))
    control.frame()


def key(control, k, mod=0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=""))
    control.frame()
