using System.CommandLine;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Resolution;

namespace Drover.Operator.Rendering;

/// <summary>
/// <c>drover render -f FILE|DIR ...</c>: prints, offline, the objects the operator would create for the given manifests
/// as multi-document YAML, in the form <see cref="OfflinePreview"/> describes. Input the API server or the operator would
/// reject is an error naming file, object and field (exit 2, nothing printed); an object that would only not be Ready
/// (a Schedule whose Agent is not among the files) is a warning (exit 0, or 1 with --strict).
/// </summary>
internal static class RenderCommand
{
    /// <summary>With --strict: something would not be Ready.</summary>
    public const int Unresolved = 1;

    /// <summary>The input is unreadable, or the API server or the operator would reject it.</summary>
    public const int BadInput = 2;

    public const string Description = """
        Print the objects the operator would create for the given manifests, without a cluster.

        Printed for offline review: children carry no ownerReferences (an owner read from a file has no uid yet);
        the annotation drover.dev/owner: <Kind>/<name> names the owner instead, and the operator sets the real
        reference when it applies them. Secret data and stringData keep their keys, and every value prints as
        REDACTED (valid base64, not the value: do not apply a redacted render); --show-secrets prints the values.
        The pod template's drover.dev/config-hash changes with the configuration but not with secret values, so it is
        not the hash the operator sets (the operator keys secret values into it with a key only it holds).

        Exit codes: 0 rendered (warnings on stderr name objects that would not be Ready, such as a Schedule whose
        Agent is not among the files); 1 the same with --strict; 2 invalid input, each error naming the file, the
        object and the field (an unknown or duplicate field, or a spec the operator would reject), nothing printed.
        """;

    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "Manifest files or directories (searched for *.yaml, *.yml, *.json); repeat for more.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "Namespace of objects that name none.",
            DefaultValueFactory = _ => "default",
        };
        var otlp = new Option<string?>("--agent-otlp-endpoint")
        {
            Description = "OTLP endpoint handed to agents (OTEL_EXPORTER_OTLP_ENDPOINT), as the operator would be configured.",
        };
        var dnsPeers = new Option<string?>("--dns-peers")
        {
            Description = $"Where agents with Restricted egress may send DNS queries, as the operator would be configured [default: {DnsPeer.DefaultsText}].",
        };
        var gatewayUrl = new Option<string?>("--gateway-url")
        {
            Description = "The model gateway, as the operator would be configured: agents without spec.model.access reach their models through it, with a key of their own.",
        };
        var showSecrets = new Option<bool>("--show-secrets")
        {
            Description = "Print Secret values instead of REDACTED (for local debugging; never in CI logs).",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Exit 1 when an object would not be Ready (the warnings on stderr say which and why).",
        };
        var command = new Command("render", Description)
        {
            files,
            ns,
            otlp,
            gatewayUrl,
            dnsPeers,
            showSecrets,
            strict,
        };
        command.SetAction(result =>
        {
            var gateway = Gateway.GatewayEndpoint.Parse(result.GetValue(gatewayUrl), out var problem);
            if (problem is not null)
            {
                result.InvocationConfiguration.Error.WriteLine($"error: --gateway-url: {problem}");
                return 2;
            }

            var peers = DnsPeer.Defaults;
            if (result.GetValue(dnsPeers) is { Length: > 0 } text)
            {
                if (DnsPeer.ParseList(text, out var dnsProblem) is not { } parsed)
                {
                    result.InvocationConfiguration.Error.WriteLine($"error: --dns-peers: {dnsProblem}");
                    return 2;
                }

                peers = parsed;
            }

            return Run(
                result.GetValue(files) ?? [],
                result.GetValue(ns) ?? "default",
                new OperatorOptions { AgentOtlpEndpoint = result.GetValue(otlp), Gateway = gateway, DnsPeers = peers },
                new RenderSettings(ShowSecrets: result.GetValue(showSecrets), Strict: result.GetValue(strict)),
                result.InvocationConfiguration.Output,
                result.InvocationConfiguration.Error);
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> paths, string defaultNamespace, OperatorOptions options, RenderSettings settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var cluster = new InMemoryCluster();
        var inputProblems = ManifestLoader.Load(paths, defaultNamespace, cluster);
        foreach (var problem in inputProblems)
        {
            error.WriteLine($"error: {problem}");
        }

        if (inputProblems.Count > 0)
        {
            return BadInput;
        }

        var result = Renderer.Render(cluster, options);
        YamlWriter.Write(output, result.Objects.Select(o => OfflinePreview.ToJson(o, settings.ShowSecrets)));
        foreach (var problem in result.Problems)
        {
            error.WriteLine($"warning: {problem}");
        }

        return result.Problems.Count > 0 && settings.Strict ? Unresolved : 0;
    }
}

/// <summary>How <c>drover render</c> prints and judges its result.</summary>
/// <param name="ShowSecrets">Print Secret values rather than the mask.</param>
/// <param name="Strict">Exit 1 when an object would not be Ready.</param>
internal sealed record RenderSettings(bool ShowSecrets = false, bool Strict = false);
