using Drover.Operator.Tests.TestSupport;

namespace Drover.Operator.Tests.Rendering;

/// <summary>The <c>drover</c> command line, run in-process as a user would run the binary.</summary>
public sealed class RenderCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-render-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Exit, string Output, string Error) Drover(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = DroverCommands.Invoke(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static IEnumerable<string> KindsAndNames(string yaml) =>
        Operator.Rendering.YamlReader.ReadDocuments(yaml)
            .Select(d => $"{d["kind"]} {d["metadata"]!["namespace"]}/{d["metadata"]!["name"]}");

    [Fact]
    public void Render_over_the_samples_prints_every_child_in_apply_order()
    {
        var (exit, output, error) = Drover("render", "-f", RepositoryPaths.Samples);

        Assert.True(exit == 0, error);
        Assert.Equal("", error);
        Assert.Equal(
        [
            "ServiceAccount default/echo",
            "Secret default/echo-config",
            "Service default/echo",
            "NetworkPolicy default/echo",
            "Deployment default/echo",
            "CronJob default/morning-summary",
        ], KindsAndNames(output));
    }

    [Fact]
    public void Render_takes_the_operators_DNS_peers_and_refuses_one_it_cannot_read()
    {
        var (exit, output, error) = Drover("render", "-f", RepositoryPaths.Samples, "--dns-peers", "dns/app=unbound");
        var (badExit, badOutput, badError) = Drover("render", "-f", RepositoryPaths.Samples, "--dns-peers", "unbound");

        Assert.True(exit == 0, error);
        Assert.Contains("app: unbound", output, StringComparison.Ordinal);
        Assert.DoesNotContain("k8s-app: kube-dns", output, StringComparison.Ordinal);
        Assert.Equal(2, badExit);
        Assert.Equal("", badOutput);
        Assert.Contains("--dns-peers: \"unbound\" is neither NAMESPACE/LABEL=VALUE", badError, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_accepts_several_files_and_a_default_namespace()
    {
        var samples = RepositoryPaths.Samples;
        var (exit, output, _) = Drover(
            "render", "-f", Path.Combine(samples, "openai-provider.yaml"), "-f", Path.Combine(samples, "ollama-provider.yaml"),
            "-f", Path.Combine(samples, "agent.yaml"), "--agent-otlp-endpoint", "http://otel:4317");

        Assert.Equal(0, exit);
        Assert.Contains("Deployment default/echo", KindsAndNames(output));
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", output);
        Assert.DoesNotContain("CronJob", output);
    }

    [Fact]
    public void What_cannot_resolve_is_reported_on_stderr_with_its_conditions_and_exit_1()
    {
        File.WriteAllText(Path.Combine(_directory, "input.yaml"), """
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec: {type: OpenAI, apiKey: {secretKeyRef: {name: missing, key: api-key}}}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: lonely}
            spec:
              image: example/agent:1
              model: {providerRef: {name: openai}, name: gpt-4o}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Schedule
            metadata: {name: tick}
            spec: {agentRef: {name: nobody}, schedule: "@daily", prompt: hi}
            """);

        var (exit, output, error) = Drover("render", "-f", _directory, "-n", "staging");

        Assert.Equal(1, exit);
        Assert.Empty(KindsAndNames(output));
        Assert.Contains("ModelProvider staging/openai: Ready=False (SecretNotFound): Secret \"missing\"", error);
        Assert.Contains("ModelProvider staging/openai: CredentialsResolved=False (SecretNotFound)", error);
        Assert.Contains("Agent staging/lonely: ModelResolved=False (ProviderNotReady)", error);
        Assert.Contains("Agent staging/lonely: Ready=False (ProviderNotReady)", error);
        Assert.Contains("Schedule staging/tick: Ready=False (AgentNotFound)", error);
    }

    [Fact]
    public void Unreadable_input_is_exit_2_naming_the_file()
    {
        var broken = Path.Combine(_directory, "broken.yaml");
        File.WriteAllText(broken, "kind: Agent\nmetadata: [unclosed\n");

        var (exit, _, error) = Drover("render", "-f", broken, "-f", Path.Combine(_directory, "absent.yaml"));

        Assert.Equal(2, exit);
        Assert.Contains($"error: {broken}:", error);
        Assert.Contains("absent.yaml: no such file or directory.", error);
    }

    [Fact]
    public void Version_prints_the_version()
    {
        var (exit, output, _) = Drover("version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^drover \d+\.\d+\.\d+", output);
    }

    [Fact]
    public void Run_hands_its_arguments_to_the_operator_host_unparsed()
    {
        var (exit, _, error) = Drover("run", "--no-such-flag");

        Assert.Equal(2, exit);
        Assert.Contains("drover run: unknown option --no-such-flag", error);
    }
}
