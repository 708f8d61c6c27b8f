using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Server;

/// <summary>The dev cluster as the executable scripts and the benchmark start: it serves, counts, and stops on SIGTERM.</summary>
public class DevClusterProcessTests
{
    [Fact]
    public async Task The_executable_serves_request_counts_and_exits_0_on_SIGTERM()
    {
        var directory = Directory.CreateTempSubdirectory("drover-devcluster-");
        var kubeconfig = Path.Combine(directory.FullName, "config");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Drover.DevCluster.dll"), "--port", "0", "--kubeconfig", kubeconfig })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = new List<string>();
        var serving = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            const string prefix = "dev cluster serving on ";
            if (e.Data.StartsWith(prefix, StringComparison.Ordinal))
            {
                serving.TrySetResult(new Uri(e.Data[prefix.Length..]));
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await serving.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("process-test/1.0");
            using (var list = await http.GetAsync("/api/v1/namespaces/default/configmaps"))
            {
                Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            }

            var counts = JsonNode.Parse(await http.GetStringAsync("/debug/requests"))!;
            var row = Assert.Single(counts["requests"]!.AsArray());
            Assert.Equal("process-test", row!["client"]!.GetValue<string>());
            Assert.Equal("list", row["verb"]!.GetValue<string>());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, process.ExitCode);
            lock (output)
            {
                Assert.Contains("stopping", output);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            directory.Delete(recursive: true);
        }
    }
}
