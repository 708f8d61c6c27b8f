using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;
using Drover.Operator.Cluster;
using Drover.Operator.Hosting;
using Drover.Operator.Rendering;

namespace Drover.Operator;

/// <summary>The <c>drover</c> command line: <c>run</c> (the default), <c>render</c> and <c>version</c>.</summary>
internal static class DroverCommands
{
    public static string Version =>
        typeof(DroverCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(DroverCommands).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public static int Invoke(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = Parse(args);

        // drover run says what is wrong with its options in its own words, with its own exit code.
        if (result.Errors.Count > 0 && result.CommandResult.Command.Name == RunCommandName)
        {
            return RunOperator(result, output, error);
        }

        return result.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private const string RunCommandName = "run";

    /// <summary>
    /// Parses a command line. <c>--flag=</c> is an empty value, as Go tools and the chart write it to turn something
    /// off; the parser would otherwise see no value at all.
    /// </summary>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var tokens = args.SelectMany<string, string>(a => a.StartsWith("--", StringComparison.Ordinal) && a.EndsWith('=') ? [a[..^1], ""] : [a]).ToArray();
        return Create().Parse(tokens);
    }

    /// <summary>Whether the command line asks for help rather than for work.</summary>
    public static bool AsksForHelp(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Action is HelpWithFooter;
    }

    public static RootCommand Create()
    {
        var run = new Command(RunCommandName, "Run the operator (the default): reconcile ModelProviders, Agents and Schedules until stopped. "
            + "Each flag can also come from the environment variable shown.");
        RunFlag.AddTo(run);
        run.SetAction(result => RunOperator(result, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        var version = new Command("version", "Print the version.");
        version.SetAction(result => result.InvocationConfiguration.Output.WriteLine($"drover {Version}"));
        var root = new RootCommand("Drover runs always-on AI agents on Kubernetes.") { run, RenderCommand.Create(), RbacCommand(), version };
        root.SetAction(result => RunOperator(result, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));

        // One spelling per line in help ("-h, --help"), so each flag starts a line of its own.
        var help = root.Options.OfType<HelpOption>().Single();
        root.Options.Remove(help);
        root.Options.Add(new HelpOption("--help", "-h") { Action = new HelpWithFooter(run) });
        return root;
    }

    // The operator's RBAC as it needs it, from what its code uses; `make manifests` writes config/rbac from it.
    private static Command RbacCommand()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write role.yaml and leader_election_role.yaml into this directory instead of printing them." };
        var command = new Command("rbac", "Print the RBAC roles the operator needs: the ClusterRole for the watched namespaces and the Role for its own namespace.") { output };
        command.SetAction(result =>
        {
            var role = OperatorPermissions.RoleYaml();
            var own = OperatorPermissions.OwnNamespaceRoleYaml();
            if (result.GetValue(output) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "role.yaml"), role);
                File.WriteAllText(Path.Combine(directory, "leader_election_role.yaml"), own);
                return 0;
            }

            result.InvocationConfiguration.Output.Write(role + "---\n" + own);
            return 0;
        });
        return command;
    }

    // The host runs until SIGTERM/Ctrl-C (or convergence with --exit-when-ready); blocking here is the whole process.
    private static int RunOperator(ParseResult result, TextWriter output, TextWriter error)
    {
        var options = RunOptions.Bind(result, Environment.GetEnvironmentVariable, out var problem);
        if (options is null)
        {
            error.WriteLine($"drover run: {problem}");
            return RunCommand.BadOptions;
        }

        return RunCommand.RunAsync(options, output, error).GetAwaiter().GetResult();
    }

    /// <summary>The standard help, and for <c>drover run</c> what it reads besides its flags.</summary>
    private sealed class HelpWithFooter(Command run) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exit = new HelpAction().Invoke(parseResult);
            if (parseResult.CommandResult.Command == run)
            {
                parseResult.InvocationConfiguration.Output.WriteLine(RunOptions.HelpFooter);
            }

            return exit;
        }
    }
}
