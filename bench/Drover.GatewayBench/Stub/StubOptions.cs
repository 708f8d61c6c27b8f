namespace Drover.GatewayBench.Stub;

/// <summary>How the upstream stub answers: after <paramref name="Delay"/>, <paramref name="CompletionTokens"/> tokens, streamed <paramref name="ChunkTokens"/> to a chunk.</summary>
internal sealed record StubOptions(TimeSpan Delay, int CompletionTokens, int ChunkTokens)
{
    public static StubOptions Default { get; } = new(TimeSpan.Zero, 200, 10);
}
