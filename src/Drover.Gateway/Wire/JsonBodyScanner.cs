using System.Text.Json;

namespace Drover.Gateway.Wire;

/// <summary>
/// Finds the top-level <c>usage</c> object and <c>model</c> string of a JSON response while it streams past, chunk by
/// chunk, holding only the bytes of an unfinished token (or an unfinished usage object) between chunks: a large
/// response (embeddings) is never held whole.
/// </summary>
internal sealed class JsonBodyScanner
{
    private byte[] _pending = new byte[4096];
    private int _pendingLength;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 256 });
    private bool _broken;

    /// <summary>A copy of the top-level usage object, once seen.</summary>
    public JsonElement? Usage { get; private set; }

    public string? Model { get; private set; }

    public void Feed(ReadOnlySpan<byte> chunk, bool final)
    {
        if (_broken)
        {
            return;
        }

        if (_pendingLength + chunk.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + chunk.Length));
        }

        chunk.CopyTo(_pending.AsSpan(_pendingLength));
        var data = _pending.AsSpan(0, _pendingLength + chunk.Length);
        try
        {
            var consumed = Scan(data, final);
            data[consumed..].CopyTo(_pending);
            _pendingLength = data.Length - consumed;
        }
        catch (JsonException)
        {
            // Not JSON after all (or cut short): the bytes still go to the caller; only usage is unknown.
            _broken = true;
            _pendingLength = 0;
        }
    }

    private int Scan(ReadOnlySpan<byte> data, bool final)
    {
        var reader = new Utf8JsonReader(data, final, _state);
        while (true)
        {
            var before = reader.CurrentState;
            var start = (int)reader.BytesConsumed;
            if (!reader.Read())
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
            {
                continue;
            }

            var isUsage = reader.ValueTextEquals("usage"u8);
            if (!isUsage && !reader.ValueTextEquals("model"u8))
            {
                continue;
            }

            // Read the whole value or come back for it with the next chunk, starting over at its property name.
            if (!reader.Read())
            {
                _state = before;
                return start;
            }

            if (isUsage && reader.TokenType == JsonTokenType.StartObject)
            {
                var valueStart = (int)reader.TokenStartIndex;
                if (!reader.TrySkip())
                {
                    _state = before;
                    return start;
                }

                using var document = JsonDocument.Parse(data[valueStart..(int)reader.BytesConsumed].ToArray());
                Usage = document.RootElement.Clone();
            }
            else if (!isUsage && reader.TokenType == JsonTokenType.String)
            {
                Model ??= reader.GetString();
            }
        }

        _state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }
}
