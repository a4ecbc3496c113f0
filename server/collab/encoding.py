"""lib0's binary encoding, as Yjs and y-protocols write it: variable-length unsigned
numbers, length-prefixed byte strings and UTF-8 strings.

One reader for everything the server decodes from clients (sync and awareness messages in
`protocol`, updates in `guard`, relative positions in `comments.anchors`); it never reads
past its input and raises `DecodeError` (a `ValueError`) for anything malformed.
"""


class DecodeError(ValueError):
    """Bytes that are not the lib0 encoding they claim to be."""


class Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def done(self) -> bool:
        return self.pos == len(self.data)

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise DecodeError("truncated input")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uint(self) -> int:
        """A variable-length unsigned number (lib0 `readVarUint`)."""
        data, pos = self.data, self.pos
        result = shift = 0
        while pos < len(data):
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return result
            shift += 7
            if shift > 63:
                raise DecodeError("number too long")
        raise DecodeError("truncated number")

    def signed(self) -> None:
        """Skip a variable-length signed number (lib0 `readVarInt`)."""
        byte = self.byte()
        while byte & 0x80:
            byte = self.byte()

    def count(self) -> int:
        """A number of things that follow, each at least one byte long."""
        value = self.uint()
        if value > self.remaining():
            raise DecodeError("count beyond the input's end")
        return value

    def skip(self, length: int) -> None:
        if length > self.remaining():
            raise DecodeError("truncated input")
        self.pos += length

    def buffer(self) -> bytes:
        """A length-prefixed byte string (lib0 `readVarUint8Array`)."""
        length = self.uint()
        if length > self.remaining():
            raise DecodeError("truncated payload")
        chunk = self.data[self.pos : self.pos + length]
        self.pos += length
        return chunk

    def string(self) -> str:
        try:
            return self.buffer().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError("string is not UTF-8") from exc


def var_uint(num: int) -> bytes:
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)


def var_bytes(data: bytes) -> bytes:
    return var_uint(len(data)) + data
