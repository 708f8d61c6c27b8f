namespace Drover.Gateway.Wire;

/// <summary>
/// Cuts a server-sent event stream into whole events as bytes arrive: an event ends at a blank line (LF or CRLF line
/// ends). The bytes of each event are kept exactly as received, so what the caller gets is what the provider sent.
/// </summary>
internal sealed class SseEventSplitter
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _length;
    private int _scanned;
    private int _eventStart;

    /// <summary>Bytes of a started event not yet complete.</summary>
    public int Pending => _length - _eventStart;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_eventStart > 0)
        {
            _buffer.AsSpan(_eventStart, _length - _eventStart).CopyTo(_buffer);
            _length -= _eventStart;
            _scanned -= _eventStart;
            _eventStart = 0;
        }

        if (_length + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>The next complete event (its raw bytes, blank line included), or false until more bytes arrive.</summary>
    public bool TryNext(out ReadOnlyMemory<byte> raw)
    {
        var lineStart = _scanned;
        while (true)
        {
            var newline = _buffer.AsSpan(lineStart, _length - lineStart).IndexOf((byte)'\n');
            if (newline < 0)
            {
                _scanned = lineStart;
                raw = default;
                return false;
            }

            var lineLength = newline;
            if (lineLength > 0 && _buffer[lineStart + lineLength - 1] == '\r')
            {
                lineLength--;
            }

            var next = lineStart + newline + 1;

            // A blank line ends the event (or, before any field, is a stray separator, passed on as it came).
            if (lineLength == 0)
            {
                raw = _buffer.AsMemory(_eventStart, next - _eventStart);
                _eventStart = next;
                _scanned = next;
                return true;
            }

            lineStart = next;
        }
    }

    /// <summary>What remains when the stream ends without a final blank line.</summary>
    public ReadOnlyMemory<byte> Rest() => _buffer.AsMemory(_eventStart, _length - _eventStart);

    /// <summary>The event's <c>event:</c> name and its joined <c>data:</c> lines.</summary>
    public static (string? Name, byte[] Data) Fields(ReadOnlySpan<byte> raw)
    {
        string? name = null;
        using var data = new MemoryStream();
        while (raw.Length > 0)
        {
            var end = raw.IndexOf((byte)'\n');
            var line = end < 0 ? raw : raw[..end];
            raw = end < 0 ? [] : raw[(end + 1)..];
            if (line.Length > 0 && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (line.StartsWith("data:"u8))
            {
                var value = line[5..];
                if (value.Length > 0 && value[0] == ' ')
                {
                    value = value[1..];
                }

                if (data.Length > 0)
                {
                    data.WriteByte((byte)'\n');
                }

                data.Write(value);
            }
            else if (line.StartsWith("event:"u8))
            {
                name = System.Text.Encoding.UTF8.GetString(line[6..]).Trim();
            }
        }

        return (name, data.ToArray());
    }
}
