"""Colours, cached text and the few widgets the scenes are built from."""

from __future__ import annotations

import pygame

# Okabe-Ito: readable with the common forms of colour blindness
OKABE_ITO = {"black": (0, 0, 0), "orange": (230, 159, 0), "sky": (86, 180, 233),
             "green": (0, 158, 115), "yellow": (240, 228, 66), "blue": (0, 114, 178),
             "vermillion": (213, 94, 0), "purple": (204, 121, 167)}
BACKGROUND = (24, 28, 36)
PANEL = (38, 44, 56)
TEXT = (235, 235, 235)
MUTED = (160, 165, 175)


class Fonts:
    """Fonts sized to the window, and every rendered text kept so a frame draws, not renders."""

    def __init__(self, height: int):
        self.resize(height)

    def resize(self, height: int) -> None:
        base = max(18, height // 40)           # 20 px at 800 high, 27 at 1080: projector size
        self.sizes = {"small": base - 3, "body": base, "title": base * 2}
        self.fonts = {k: pygame.font.Font(None, int(v * 1.3)) for k, v in self.sizes.items()}
        self.cache: dict[tuple, pygame.Surface] = {}

    def text(self, words: str, size: str = "body", colour=TEXT) -> pygame.Surface:
        key = (words, size, colour)
        surf = self.cache.get(key)
        if surf is None:
            if len(self.cache) > 4000:
                self.cache.clear()
            surf = self.fonts[size].render(words, True, colour)
            self.cache[key] = surf
        return surf


class Button:
    def __init__(self, label: str, rect: pygame.Rect, action, *, colour=OKABE_ITO["blue"], tip: str = "",
                 size: str = "body"):
        self.label, self.rect, self.action, self.colour, self.tip = label, pygame.Rect(rect), action, colour, tip
        self.size = size
        self.enabled = True

    def handle(self, event) -> bool:
        if (self.enabled and event.type == pygame.MOUSEBUTTONDOWN and event.button == 1
                and self.rect.collidepoint(event.pos)):
            self.action()
            return True
        return False

    def draw(self, screen, fonts: Fonts) -> None:
        hover = self.rect.collidepoint(pygame.mouse.get_pos())
        colour = self.colour if self.enabled else (70, 74, 84)
        if hover and self.enabled:
            colour = tuple(min(255, c + 30) for c in colour)
        pygame.draw.rect(screen, colour, self.rect, border_radius=6)
        label = fonts.text(self.label, self.size, TEXT if self.enabled else MUTED)
        room = self.rect.w - 8
        if label.get_width() <= room:
            screen.blit(label, label.get_rect(center=self.rect.center))
        else:                                    # too long: its start shows, cut at the right edge
            screen.blit(label, (self.rect.x + 4, self.rect.centery - label.get_height() // 2),
                        pygame.Rect(0, 0, room, label.get_height()))


class TextBox:
    """One line of typed text; Enter calls `on_enter` with it."""

    def __init__(self, rect: pygame.Rect, on_enter, placeholder: str = ""):
        self.rect, self.on_enter, self.placeholder = pygame.Rect(rect), on_enter, placeholder
        self.value, self.focused = "", False

    def handle(self, event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.focused = self.rect.collidepoint(event.pos)
            return self.focused
        if not self.focused:
            return False
        if event.type == pygame.KEYDOWN:
            if event.key == pygame.K_RETURN:
                self.on_enter(self.value)
            elif event.key == pygame.K_BACKSPACE:
                self.value = self.value[:-1]
            elif event.key == pygame.K_ESCAPE:
                self.focused = False
            return True
        if event.type == pygame.TEXTINPUT:
            self.value += event.text
            return True
        return False

    def draw(self, screen, fonts: Fonts) -> None:
        pygame.draw.rect(screen, (16, 18, 24), self.rect, border_radius=4)
        pygame.draw.rect(screen, OKABE_ITO["sky"] if self.focused else MUTED, self.rect, 2, border_radius=4)
        shown = fonts.text(self.value + ("|" if self.focused else "")) if self.value or self.focused \
            else fonts.text(self.placeholder, "body", MUTED)
        screen.blit(shown, (self.rect.x + 8, self.rect.centery - shown.get_height() // 2))


def draw_lines(screen, fonts: Fonts, lines, x: int, y: int, width: int, size="body", colour=TEXT) -> int:
    """Draw lines of text cut to `width`; returns the y under the last."""
    for line in lines:
        surf = fonts.text(line, size, colour)
        screen.blit(surf, (x, y), pygame.Rect(0, 0, width, surf.get_height()))
        y += surf.get_height() + 4
    return y


def draw_tooltip(screen, fonts: Fonts, text: str, pos) -> None:
    """A box of plain words beside the mouse, kept inside the window."""
    if not text:
        return
    lines = _wrap(text, 60)
    surfs = [fonts.text(line, "small") for line in lines]
    w = max(s.get_width() for s in surfs) + 16
    h = sum(s.get_height() + 2 for s in surfs) + 12
    x = min(pos[0] + 16, screen.get_width() - w - 4)
    y = min(pos[1] + 18, screen.get_height() - h - 4)
    pygame.draw.rect(screen, (12, 14, 20), (x, y, w, h), border_radius=6)
    pygame.draw.rect(screen, OKABE_ITO["yellow"], (x, y, w, h), 1, border_radius=6)
    for s in surfs:
        screen.blit(s, (x + 8, y + 6))
        y += s.get_height() + 2


def wrap_pixels(fonts: Fonts, text: str, width: int, size: str = "small") -> list[str]:
    """Lines of `text` that fit `width` pixels in the given font size."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and fonts.fonts[size].size(trial)[0] > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else [])


def hovered_tip(items, pos) -> str:
    """The tip of the first (rect, tip) or widget with `.rect`/`.tip` under the mouse."""
    for item in items:
        rect, tip = (item.rect, item.tip) if hasattr(item, "rect") else item
        if tip and rect.collidepoint(pos):
            return tip
    return ""
