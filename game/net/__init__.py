"""A game for a class on a LAN: one server, a screen per team, a facilitator's console.

- `protocol`: the JSON messages, their validation and size limit, tokens and proofs;
- `room`: the game and the room around it (tokens, ready seats, queued orders, acks), kept
  on disk beside the autosave;
- `server`: the asyncio + websockets server (`chokepoint serve`);
- `client`: a client that reconnects by itself (`NetClient`);
- `remote`, `client_ui`: the game window over a remote game (`chokepoint join`);
- `cli`: the two commands.
"""
