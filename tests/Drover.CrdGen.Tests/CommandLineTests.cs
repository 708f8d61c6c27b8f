namespace Drover.CrdGen.Tests;

// Runs the generator's entry point in-process; one class so console redirection never overlaps.
public class CommandLineTests
{
    private static readonly object ConsoleLock = new();

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var (oldOut, oldError) = (Console.Out, Console.Error);
            Console.SetOut(output);
            Console.SetError(error);
            try
            {
                var entry = typeof(CrdGenerator).Assembly.EntryPoint!;
                var exit = (int)entry.Invoke(null, [args])!;
                return (exit, output.ToString(), error.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }

    [Fact]
    public void Output_writes_the_crds_and_check_accepts_them_then_rejects_an_edit()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("drover-crdgen-").FullName, "crds");
        try
        {
            var written = Run("--output", dir);
            Assert.Equal(0, written.ExitCode);
            Assert.Equal(3, Directory.GetFiles(dir, "*.yaml").Length);

            var clean = Run("--check", dir);
            Assert.Equal(0, clean.ExitCode);

            var schedules = Path.Combine(dir, "drover.dev_schedules.yaml");
            File.AppendAllText(schedules, "# edited by hand\n");
            var dirty = Run("--check", dir);
            Assert.Equal(1, dirty.ExitCode);
            Assert.Contains("drover.dev_schedules.yaml", dirty.Error, StringComparison.Ordinal);
            Assert.Contains("make manifests", dirty.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Theory]
    [InlineData()]
    [InlineData("--output")]
    [InlineData("--frobnicate", "x")]
    public void Bad_arguments_print_usage(params string[] args)
    {
        var result = Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage", result.Error, StringComparison.Ordinal);
    }
}
