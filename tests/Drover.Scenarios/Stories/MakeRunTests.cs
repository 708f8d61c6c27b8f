using Drover.Scenarios.Support;
using Xunit.Abstractions;

namespace Drover.Scenarios.Stories;

/// <summary>`make run ARGS=--exit-when-ready` from a fresh clone, on a machine with no cluster configured, converges and exits 0.</summary>
public sealed class MakeRunTests(ITestOutputHelper output)
{
    [MakeRunFact]
    public async Task Make_run_from_a_fresh_clone_converges_and_exits_zero()
    {
        var work = Directory.CreateTempSubdirectory("drover-make-run-");
        try
        {
            var clone = Path.Combine(work.FullName, "drover");
            var (cloned, cloneLog) = await Preconditions.RunAsync("git", ["clone", "--quiet", Repository.Root, clone], work.FullName, TimeSpan.FromMinutes(2));
            Assert.True(cloned == 0, cloneLog);

            // kubectl comes from hack/tools.sh over npm; reuse this checkout's copy when it has one, as a cache.
            var tools = Repository.Path(".tools");
            if (Directory.Exists(tools))
            {
                CopyDirectory(tools, Path.Combine(clone, ".tools"));
            }

            var home = Directory.CreateDirectory(Path.Combine(work.FullName, "home")).FullName;
            var (exit, log) = await Preconditions.RunAsync(
                "make",
                ["run", "ARGS=--exit-when-ready"],
                clone,
                TimeSpan.FromMinutes(10),
                new Dictionary<string, string?>
                {
                    ["KUBECONFIG"] = null,
                    ["HOME"] = home,
                    ["DOTNET_CLI_HOME"] = Environment.GetEnvironmentVariable("DOTNET_CLI_HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                    ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                    ["METRICS_ADDRESS"] = "127.0.0.1:0",
                    ["HEALTH_ADDRESS"] = "127.0.0.1:0",
                    ["GATEWAY_ADDRESS"] = $"127.0.0.1:{FreePort()}",
                });
            output.WriteLine(log);
            Assert.True(exit == 0, $"make run exited {exit}");
            Assert.Contains("Every Agent and Schedule is Ready", log, StringComparison.Ordinal);
            Assert.Matches(@"agent\.drover\.dev/echo\s+openai\s+gpt-4o-mini\s+gpt-4o-mini\s+1\s+1\s+True\s+Available", log);
            Assert.Matches(@"schedule\.drover\.dev/morning-summary\s+echo\s+30 7 \* \* \*\s+Europe/Berlin", log);
            Assert.Contains("deployment.apps/echo", log, StringComparison.Ordinal);
            Assert.Contains("cronjob.batch/morning-summary", log, StringComparison.Ordinal);
            Assert.Contains("make run: model gateway at http://127.0.0.1:", log, StringComparison.Ordinal);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        listener.Dispose();
        return port;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(file));
            }
        }
    }
}
