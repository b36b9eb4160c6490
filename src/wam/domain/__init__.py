"""The pure domain core of wam: no I/O, standard library only.

- ``holders``: the holder tree and external holders (supply, expended, lost, ...).
- ``materiel``: serialised items (weapons) and lots (ammunition), and their identity keys.
- ``movements``: movement kinds and the rules each kind carries.
- ``laws``: the five ledger laws as pure checks and a replay.
- ``chain``: canonical bytes and the SHA-256 hash chain.
- ``errors``: the exception hierarchy and problem values.
"""
