using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Drover.Bench;
using Drover.GatewayBench.Stub;

namespace Drover.GatewayBench.Paths;

/// <summary>
/// The Portkey gateway (npm <c>@portkey-ai/gateway</c>, Node.js) as its README runs it, headless. It holds no provider
/// keys of its own: the caller sends the provider key and routing headers on every request and Portkey forwards them.
/// </summary>
internal sealed class PortkeyGateway : IAsyncDisposable
{
    private PortkeyGateway(ChildProcess process, BenchPath path, string version)
    {
        Process = process;
        Path = path;
        Version = version;
    }

    public ChildProcess Process { get; }

    public BenchPath Path { get; }

    /// <summary>The installed package version and the node that runs it.</summary>
    public string Version { get; }

    public static async Task<PortkeyGateway> StartAsync(GatewayBenchOptions options, StubProcess stub, string logs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stub);
        if (!File.Exists(options.PortkeyScript))
        {
            throw new InvalidOperationException($"Portkey is not installed: {options.PortkeyScript} is missing (hack/bench-gateway.sh installs it)");
        }

        var port = LoopbackPort.Free();

        // Its server reads only --port=N (a separate "--port N" is ignored and it takes 8787); --headless leaves out the
        // log viewer UI, as a server deployment would.
        var process = ChildProcess.StartLoggingToFile(
            options.Node,
            [options.PortkeyScript, $"--port={port.ToString(CultureInfo.InvariantCulture)}", "--headless"],
            System.IO.Path.Combine(logs, "portkey.log"),
            System.IO.Path.Combine(logs, "portkey-cwd"));
        var address = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Poll.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"Portkey exited at start; see {System.IO.Path.Combine(logs, "portkey.log")}");
                }

                try
                {
                    using var response = await http.GetAsync(address, cancellationToken);
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "Portkey to answer on " + address,
            cancellationToken,
            TimeSpan.FromMilliseconds(100));

        var path = new BenchPath(
            BenchPath.Portkey,
            new Uri(address, "/v1/chat/completions"),
            [
                new("x-portkey-provider", "openai"),
                new("x-portkey-custom-host", stub.ApiBase.ToString()),
                new("Authorization", "Bearer " + ChatReply.Key(BenchPath.Portkey)),
            ],
            BenchPath.Portkey,
            process.Id);
        return new PortkeyGateway(process, path, $"@portkey-ai/gateway {PackageVersion(options.PortkeyScript)} on Node.js {NodeVersion(options.Node)}");
    }

    public async ValueTask DisposeAsync()
    {
        await Process.StopAsync(TimeSpan.FromSeconds(10));
        await Process.DisposeAsync();
    }

    private static string PackageVersion(string script)
    {
        var package = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(script))!, "package.json");
        return File.Exists(package) ? JsonNode.Parse(File.ReadAllText(package))?["version"]?.GetValue<string>() ?? "?" : "?";
    }

    private static string NodeVersion(string node)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(node, "--version") { RedirectStandardOutput = true })!;
            var version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return version.TrimStart('v');
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
