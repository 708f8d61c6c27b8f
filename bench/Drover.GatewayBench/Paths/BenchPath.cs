namespace Drover.GatewayBench.Paths;

/// <summary>
/// One way to the stub: direct, through drover-gateway, or through Portkey. <paramref name="StubKey"/> is the label
/// the stub counts its requests under (the provider key that reaches the stub on this path).
/// </summary>
/// <param name="Name">direct, drover or portkey.</param>
/// <param name="ChatUrl">Where a chat completion is posted.</param>
/// <param name="Headers">Sent with every request (the caller's key, routing headers).</param>
/// <param name="StubKey">The stub's key label for requests of this path.</param>
/// <param name="ProcessId">The gateway process measured (CPU, RSS); null for direct.</param>
internal sealed record BenchPath(string Name, Uri ChatUrl, IReadOnlyList<KeyValuePair<string, string>> Headers, string StubKey, int? ProcessId)
{
    public const string Direct = "direct";
    public const string Drover = "drover";
    public const string Portkey = "portkey";

    public static IReadOnlyList<string> All { get; } = [Direct, Drover, Portkey];
}
