"""The messages a LAN game's server and clients exchange: JSON objects, one a WebSocket
message, each with a `type`, validated by pydantic on arrival.

A connection opens with the server's `challenge` (a fresh random nonce). The client answers
`hello` with `proof` = HMAC-SHA256(token, nonce): the token itself never crosses the wire,
and a `hello` overheard on one connection proves nothing on the next one (its nonce is
another). The server compares proofs in constant time (`hmac.compare_digest`).

Every command a client sends carries `seq`, a number that grows by one a command for the
life of the client (its `client` id, sent in `hello`). The server answers each with an
`ack` of the same `seq`; a command sent again after a reconnection (because its ack never
came) is recognised by its `seq` and answered with the first ack, never applied twice.
Commands that change the next turn's orders also carry `turn`, the number of turns played
as the client last saw it, so that an order meant for a turn already played is refused
rather than slipped into the next one.

Observations hold numpy arrays; `encode_value` writes a number array as
{"__array__": dtype, "shape": [...], "b64": its bytes in base64} (exact, and quick to write
and read), an array of objects as {"__array__": "object", "shape": [...], "data": [...]};
`decode_value` rebuilds them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

PROTOCOL = "chokepoint-lan"
VERSION = 1
MAX_MESSAGE = 1 << 20               # bytes a client may send in one message (1 MiB)
MAX_SERVER_MESSAGE = 64 << 20       # what a client accepts from its server (observations are big)
MAX_ORDERS = 64                     # orders in one submit
MAX_TEXT = 400                      # characters in one order, seat or event name

Seat = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
Seq = Annotated[int, Field(ge=1, le=2**53)]
Turn = Annotated[int, Field(ge=0, le=100_000)]


class ProtocolError(ValueError):
    """A message that is not one of ours: not JSON, too big, or not matching its schema."""


def new_token() -> str:
    """A fresh join token: 32 random bytes, URL-safe text (`secrets`), never starting with
    '-' (a command line would read `--token -x...` as another option)."""
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def new_nonce() -> str:
    return secrets.token_hex(16)


def proof(token: str, nonce: str) -> str:
    """What a client sends to show it holds `token`, bound to this connection's nonce."""
    return hmac.new(token.encode("utf-8"), nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def proof_matches(token: str, nonce: str, given: str) -> bool:
    return hmac.compare_digest(proof(token, nonce).encode("ascii"), given.encode("utf-8", "replace"))


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- client to server ------------------------------------------------------------------
class Hello(Message):
    type: Literal["hello"]
    proof: Annotated[str, Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]+$")]
    client: Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    version: int = VERSION


class Command(Message):
    seq: Seq


class Observe(Command):
    type: Literal["observe"]
    seat: Seat


class Submit(Command):
    type: Literal["submit"]
    seat: Seat
    turn: Turn
    orders: Annotated[list[Text], Field(min_length=1, max_length=MAX_ORDERS)]


class Withdraw(Command):
    type: Literal["withdraw"]
    seat: Seat
    turn: Turn
    index: Annotated[int, Field(ge=0, le=10_000)]


class Ready(Command):
    type: Literal["ready", "unready"]
    seat: Seat
    turn: Turn


class Check(Command):
    type: Literal["check"]
    seat: Seat
    order: Text


class Flows(Command):
    type: Literal["flows"]
    good: Seat


class Pause(Command):
    type: Literal["pause"]
    paused: bool


class Timer(Command):
    type: Literal["timer"]
    seconds: Annotated[int, Field(ge=0, le=24 * 3600)]


class Inject(Command):
    type: Literal["inject"]
    event: Seat
    turn: Turn


class Reveal(Command):
    type: Literal["reveal"]
    seat: Seat | None = None         # None: every seat


class Hand(Command):
    type: Literal["hand"]
    seat: Seat
    to: Literal["ai", "human"]


class EndTurn(Command):
    type: Literal["end_turn"]
    turn: Turn


class FinalSave(Command):
    """The whole game's save, for the debrief: given to every seat once the game is over."""
    type: Literal["final_save"]


SEAT_COMMANDS = ("observe", "submit", "withdraw", "ready", "unready", "check", "flows", "final_save")
FACILITATOR_COMMANDS = ("pause", "timer", "inject", "reveal", "hand", "end_turn", "flows", "observe", "final_save")

ClientMessage = Annotated[Union[Hello, Observe, Submit, Withdraw, Ready, Check, Flows, Pause, Timer, Inject,
                                Reveal, Hand, EndTurn, FinalSave], Field(discriminator="type")]
_CLIENT = TypeAdapter(ClientMessage)


def parse_client(raw: str | bytes) -> Message:
    """One message from a client, validated; raises ProtocolError with the reason."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_MESSAGE:
            raise ProtocolError(f"message too big ({len(raw)} bytes; at most {MAX_MESSAGE})")
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("message is not UTF-8 text") from None
    if len(raw) > MAX_MESSAGE:
        raise ProtocolError(f"message too big ({len(raw)} characters; at most {MAX_MESSAGE})")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(f"message is not JSON ({getattr(exc, 'msg', 'nested too deep')})") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("message is not a JSON object with a 'type'")
    try:
        return _CLIENT.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "message"
        raise ProtocolError(f"bad {data['type']!r} message: {where}: {first['msg']}") from None


# -- server to client ------------------------------------------------------------------
def encode(kind: str, **fields) -> str:
    """A server message as JSON text (arrays already encoded with `encode_value`)."""
    return json.dumps({"type": kind, **fields}, separators=(",", ":"), allow_nan=True)


def decode_server(raw: str | bytes) -> dict:
    """A message from the server as a dict with a 'type'; raises ProtocolError."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"server sent something that is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("server sent a message without a 'type'")
    return data


def encode_value(value: Any) -> Any:
    """A JSON-able copy of an observation or report: arrays tagged, tuples as lists."""
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__array__": "object", "shape": list(value.shape), "data": value.ravel().tolist()}
        raw = np.ascontiguousarray(value).tobytes()
        return {"__array__": value.dtype.str, "shape": list(value.shape), "b64": base64.b64encode(raw).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def decode_value(value: Any) -> Any:
    """The inverse of `encode_value` (tuples come back as lists)."""
    if isinstance(value, dict):
        if "__array__" in value and set(value) in ({"__array__", "shape", "data"}, {"__array__", "shape", "b64"}):
            if value["__array__"] == "object":
                out = np.empty(len(value["data"]), dtype=object)
                out[:] = value["data"]
                return out.reshape(value["shape"])
            raw = base64.b64decode(value["b64"])
            return np.frombuffer(raw, dtype=np.dtype(value["__array__"])).reshape(value["shape"]).copy()
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value
