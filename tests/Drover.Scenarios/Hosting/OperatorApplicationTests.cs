using System.Net;
using Drover.Operator;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Scenarios.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.Scenarios.Hosting;

/// <summary>The whole drover run process in-process: endpoints on their own listeners, and --exit-when-ready.</summary>
public sealed class OperatorApplicationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_health_and_readiness_answer_on_their_own_listeners()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyAsync(YamlJson.Files(Repository.Path("config", "samples")));
        var options = new RunOptions { MetricsAddress = "127.0.0.1:0", HealthAddress = "127.0.0.1:0" };
        await using var app = OperatorApplication.Build(options, scenario.Client, _ => null, await scenario.DigestAsync(options));

        // No configuration file is watched: that watch covers the working directory and everything under it.
        Assert.All(
            ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>(),
            file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
        await app.StartAsync();
        try
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
            Assert.Equal(2, addresses.Count);
            using var http = new HttpClient();
            var runtime = app.Services.GetRequiredService<OperatorRuntime>();
            await runtime.Host.HasSynced.WaitAsync(OperatorScenario.DefaultTimeout);
            await scenario.WaitForAgentAsync("echo", "True", "Available");

            // Which listener is which is not known from the addresses alone: each path answers on exactly one.
            var answers = new Dictionary<string, List<HttpStatusCode>>();
            foreach (var path in new[] { "/metrics", "/healthz", "/readyz" })
            {
                answers[path] = [];
                foreach (var address in addresses)
                {
                    answers[path].Add((await http.GetAsync(address + path)).StatusCode);
                }
            }

            Assert.All(answers.Values, codes => Assert.Equal(1, codes.Count(c => c == HttpStatusCode.OK)));
            Assert.Equal(answers["/healthz"], answers["/readyz"]);
            Assert.NotEqual(answers["/metrics"], answers["/healthz"]);
            var metricsAddress = addresses[answers["/metrics"].IndexOf(HttpStatusCode.OK)];
            var metrics = await http.GetStringAsync(metricsAddress + "/metrics");
            Assert.Contains("drover_controller_reconcile", metrics, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Exit_when_ready_stops_the_process_once_the_samples_are_ready()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyAsync(YamlJson.Files(Repository.Path("config", "samples")));
        var options = new RunOptions { MetricsAddress = "", HealthAddress = "", ExitWhenReady = true };
        await using var app = OperatorApplication.Build(options, scenario.Client, _ => null, await scenario.DigestAsync(options));

        await app.RunAsync().WaitAsync(OperatorScenario.DefaultTimeout);

        Assert.True(OperatorScenario.HasCondition(
            (await scenario.GetAsync(OperatorKinds.Agents, "echo"))!.Status?.Conditions, 1, 1, "True", "Available"));
        Assert.True(OperatorScenario.HasCondition(
            (await scenario.GetAsync(OperatorKinds.Schedules, "morning-summary"))!.Status?.Conditions, 1, 1, "True", "Scheduled"));
    }

    [Fact]
    public async Task Drover_run_accepts_a_kubeconfig_whose_user_has_no_credentials_in_the_context_named_by_context()
    {
        await using var scenario = await OperatorScenario.CreateAsync(output);
        await scenario.ApplyAsync(YamlJson.Files(Repository.Path("config", "samples")));
        var directory = Directory.CreateTempSubdirectory("drover-run");
        try
        {
            // As written for kubectl proxy or a local plain-HTTP API server: no credentials at all. The current context
            // points nowhere, so only --context reaches the dev cluster.
            var kubeconfig = Path.Combine(directory.FullName, "config");
            await File.WriteAllTextAsync(kubeconfig, $"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: dev
                  cluster:
                    server: {scenario.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}
                - name: nowhere
                  cluster:
                    server: http://127.0.0.1:1
                users:
                - name: dev
                  user: {"{}"}
                contexts:
                - name: dev
                  context: {"{"}cluster: dev, user: dev{"}"}
                - name: nowhere
                  context: {"{"}cluster: nowhere, user: dev{"}"}
                current-context: nowhere
                """);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();

            var exitCode = await Task.Run(() => DroverCommands.Invoke(
                ["run", "--kubeconfig", kubeconfig, "--context", "dev", "--exit-when-ready", "--metrics-address=", "--health-address=", "--log-format", "text"],
                stdout,
                stderr)).WaitAsync(OperatorScenario.DefaultTimeout);

            Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
            Assert.True(OperatorScenario.HasCondition(
                (await scenario.GetAsync(OperatorKinds.Agents, "echo"))!.Status?.Conditions, 1, 1, "True", "Available"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
