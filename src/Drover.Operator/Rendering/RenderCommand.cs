using System.CommandLine;
using Drover.Operator.Agents;
using Drover.Operator.Children;
using Drover.Operator.Resolution;

namespace Drover.Operator.Rendering;

/// <summary>
/// <c>drover render -f FILE|DIR ...</c>: prints, offline, the exact objects the operator would create for the given
/// manifests as multi-document YAML, and to stderr the conditions it would set for what cannot resolve.
/// Exit code 0 when everything resolved, 1 when something did not, 2 when the input could not be read.
/// </summary>
internal static class RenderCommand
{
    public const int Unresolved = 1;
    public const int BadInput = 2;

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
        var command = new Command("render", "Print the objects the operator would create for the given manifests, without a cluster.")
        {
            files,
            ns,
            otlp,
            dnsPeers,
        };
        command.SetAction(result =>
        {
            var peers = DnsPeer.Defaults;
            if (result.GetValue(dnsPeers) is { Length: > 0 } text)
            {
                if (DnsPeer.ParseList(text, out var problem) is not { } parsed)
                {
                    result.InvocationConfiguration.Error.WriteLine($"error: --dns-peers: {problem}");
                    return BadInput;
                }

                peers = parsed;
            }

            return Run(
                result.GetValue(files) ?? [],
                result.GetValue(ns) ?? "default",
                new OperatorOptions { AgentOtlpEndpoint = result.GetValue(otlp), DnsPeers = peers },
                result.InvocationConfiguration.Output,
                result.InvocationConfiguration.Error);
        });
        return command;
    }

    public static int Run(IReadOnlyList<string> paths, string defaultNamespace, OperatorOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(paths);
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
        YamlWriter.Write(output, result.Objects.Select(KubeObjectJson.ToJson));
        foreach (var problem in result.Problems)
        {
            error.WriteLine(problem);
        }

        return result.Problems.Count == 0 ? 0 : Unresolved;
    }
}
