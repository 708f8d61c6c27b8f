using System.Text.Json;
using Drover.Bench;
using Drover.GatewayBench.Stub;

namespace Drover.GatewayBench.Paths;

/// <summary>
/// The upstream stub in a process of its own (this program's <c>stub</c> subcommand), so its CPU is not the load
/// generator's and each can be measured apart.
/// </summary>
internal sealed class StubProcess : IAsyncDisposable
{
    public const string ServingLine = "stub serving on ";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private StubProcess(ChildProcess process, Uri address)
    {
        Process = process;
        Address = address;
    }

    public ChildProcess Process { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>.</summary>
    public Uri Address { get; }

    /// <summary>The OpenAI-style base URL (<c>.../v1</c>) providers and Portkey are pointed at.</summary>
    public Uri ApiBase => new(Address, "/v1");

    public Uri ChatUrl => new(Address, UpstreamStub.ChatPath);

    public static async Task<StubProcess> StartAsync(GatewayBenchOptions options, string logs)
    {
        ArgumentNullException.ThrowIfNull(options);
        var self = typeof(StubProcess).Assembly.Location;
        var process = ChildProcess.Start("dotnet", [self, .. options.StubArguments()], Path.Combine(logs, "stub.log"));
        var line = await process.WaitForLineAsync(ServingLine, TimeSpan.FromSeconds(60));
        return new StubProcess(process, new Uri(line[ServingLine.Length..].Trim()));
    }

    public async Task<StubStats> StatsAsync(CancellationToken cancellationToken)
    {
        var json = await _http.GetStringAsync(new Uri(Address, UpstreamStub.StatsPath), cancellationToken);
        return JsonSerializer.Deserialize(json, StubJsonContext.Default.StubStats) ?? throw new InvalidOperationException("the stub's /stats was empty");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.StopAsync(TimeSpan.FromSeconds(10));
        await Process.DisposeAsync();
    }
}
