using System.CommandLine;
using System.Reflection;
using Drover.Operator.Rendering;

namespace Drover.Operator;

/// <summary>The <c>drover</c> command line: <c>run</c> (the default), <c>render</c> and <c>version</c>.</summary>
public static class DroverCommands
{
    public static string Version =>
        typeof(DroverCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(DroverCommands).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static int Invoke(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    public static RootCommand Create()
    {
        // The host parses its own options (flags and environment), so everything after `run` is passed through.
        var run = new Command("run", "Run the operator (the default).") { TreatUnmatchedTokensAsErrors = false };
        run.SetAction(result => RunOperator(result.UnmatchedTokens, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        var version = new Command("version", "Print the version.");
        version.SetAction(result => result.InvocationConfiguration.Output.WriteLine($"drover {Version}"));
        var root = new RootCommand("Drover runs always-on AI agents on Kubernetes.") { run, RenderCommand.Create(), version };
        root.SetAction(result => RunOperator([], result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return root;
    }

    // The host runs until SIGTERM/Ctrl-C (or convergence with --exit-when-ready); blocking here is the whole process.
    private static int RunOperator(IReadOnlyList<string> args, TextWriter output, TextWriter error) =>
        Hosting.RunCommand.RunAsync(args, output, error).GetAwaiter().GetResult();
}
