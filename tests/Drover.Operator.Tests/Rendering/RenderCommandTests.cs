using System.Text;
using Drover.Operator.Rendering;
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
        YamlReader.ReadDocuments(yaml)
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

    private const string UnresolvableInput = """
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
        """;

    [Fact]
    public void What_would_not_be_Ready_is_a_warning_on_stderr_and_exit_0()
    {
        File.WriteAllText(Path.Combine(_directory, "input.yaml"), UnresolvableInput);

        var (exit, output, error) = Drover("render", "-f", _directory, "-n", "staging");

        Assert.Equal(0, exit);
        Assert.Empty(KindsAndNames(output));
        Assert.Contains("warning: ModelProvider staging/openai: Ready=False (SecretNotFound): Secret \"missing\"", error);
        Assert.Contains("warning: ModelProvider staging/openai: CredentialsResolved=False (SecretNotFound)", error);
        Assert.Contains("warning: Agent staging/lonely: ModelResolved=False (ProviderNotReady)", error);
        Assert.Contains("warning: Agent staging/lonely: Ready=False (ProviderNotReady)", error);
        Assert.Contains("warning: Schedule staging/tick: Ready=False (AgentNotFound)", error);
        Assert.DoesNotContain("error:", error);
    }

    [Fact]
    public void With_strict_what_would_not_be_Ready_is_exit_1()
    {
        File.WriteAllText(Path.Combine(_directory, "input.yaml"), UnresolvableInput);

        var (exit, _, error) = Drover("render", "-f", _directory, "--strict");

        Assert.Equal(1, exit);
        Assert.Contains("warning: Schedule default/tick: Ready=False (AgentNotFound)", error);
        Assert.Equal(0, Drover("render", "-f", RepositoryPaths.Samples, "--strict").Exit);
    }

    [Fact]
    public void Children_name_their_owner_in_an_annotation_instead_of_an_owner_reference_without_uid()
    {
        var (exit, output, _) = Drover("render", "-f", RepositoryPaths.Samples);

        Assert.Equal(0, exit);
        var objects = YamlReader.ReadDocuments(output);
        Assert.All(objects, o => Assert.Null(o["metadata"]!["ownerReferences"]));
        Assert.Equal(
            ["Agent/echo", "Agent/echo", "Agent/echo", "Agent/echo", "Agent/echo", "Schedule/morning-summary"],
            objects.Select(o => (string?)o["metadata"]!["annotations"]![OfflinePreview.OwnerAnnotation]));
    }

    [Fact]
    public void Secret_values_are_redacted_keeping_their_keys_unless_show_secrets_is_given()
    {
        var (exit, output, _) = Drover("render", "-f", RepositoryPaths.Samples);

        Assert.Equal(0, exit);
        var secret = YamlReader.ReadDocuments(output).Single(o => (string?)o["kind"] == "Secret");
        Assert.Equal(
            [("agent.json", "REDACTED"), ("api-key.default.openai", "REDACTED")],
            secret["data"]!.AsObject().Select(p => (p.Key, (string)p.Value!)));
        Assert.DoesNotContain("sk-replace-me", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("sk-replace-me")), output, StringComparison.Ordinal);

        var (shown, revealed, _) = Drover("render", "-f", RepositoryPaths.Samples, "--show-secrets");

        Assert.Equal(0, shown);
        var key = YamlReader.ReadDocuments(revealed).Single(o => (string?)o["kind"] == "Secret")["data"]!["api-key.default.openai"]!;
        Assert.Equal("sk-replace-me", Encoding.UTF8.GetString(Convert.FromBase64String((string)key!)));
    }

    [Fact]
    public void An_unknown_field_in_any_kind_is_an_error_naming_the_file_the_object_and_the_field()
    {
        var file = Path.Combine(_directory, "agents.yaml");
        File.WriteAllText(file, """
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: triage, namespace: team-a}
            spec:
              image: example/agent:1
              instuctions: You triage issues.
              model: {providerRef: {name: openai, namspace: models}}
              env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k, optinal: true}}}]
            ---
            apiVersion: drover.dev/v1alpha1
            kind: Schedule
            metadata: {name: tick}
            spec: {agentRef: {name: triage}, schedule: "@daily", promt: hi}
            ---
            apiVersion: drover.dev/v1alpha1
            kind: ModelProvider
            metadata: {name: openai}
            spec: {type: OpenAI, endpont: "https://proxy.example.com/v1"}
            """);

        var (exit, output, error) = Drover("render", "-f", _directory);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal(
            [
                $"error: {file} (document 1): Agent team-a/triage: unknown field \"spec.instuctions\"",
                $"error: {file} (document 1): Agent team-a/triage: unknown field \"spec.model.providerRef.namspace\"",
                $"error: {file} (document 1): Agent team-a/triage: unknown field \"spec.env[0].valueFrom.secretKeyRef.optinal\"",
                $"error: {file} (document 2): Schedule default/tick: unknown field \"spec.promt\"",
                $"error: {file} (document 3): ModelProvider default/openai: unknown field \"spec.endpont\"",
            ],
            error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_field_given_twice_is_an_error_naming_the_file_and_the_field()
    {
        var file = Path.Combine(_directory, "agent.yaml");
        File.WriteAllText(file, """
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: twice}
            spec:
              image: example/agent:1
              model: {providerRef: {name: openai}}
              image: example/agent:2
            """);

        var (exit, output, error) = Drover("render", "-f", file);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains($"error: {file}: ", error);
        Assert.Contains("duplicate field \"spec.image\"", error);
    }

    [Fact]
    public void A_spec_the_operator_would_reject_is_an_error_naming_the_file_the_object_and_the_field()
    {
        var file = Path.Combine(_directory, "agent.yaml");
        File.WriteAllText(file, """
            apiVersion: drover.dev/v1alpha1
            kind: Agent
            metadata: {name: idle}
            spec:
              image: example/agent:1
              runOnce: {}
              model: {providerRef: {name: openai}}
            """);

        var (exit, output, error) = Drover("render", "-f", file);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains($"error: {file} (document 1): Agent default/idle: spec.runOnce: set spec.runOnce.args", error);
    }

    [Fact]
    public void Help_says_what_is_printed_instead_of_owner_references_and_secret_values_and_what_the_exit_codes_mean()
    {
        var (exit, output, _) = Drover("render", "--help");

        Assert.Equal(0, exit);
        foreach (var part in new[] { "ownerReferences", "drover.dev/owner", "REDACTED", "--show-secrets", "--strict", "Exit codes: 0", "2 invalid input" })
        {
            Assert.Contains(part, output, StringComparison.Ordinal);
        }
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
