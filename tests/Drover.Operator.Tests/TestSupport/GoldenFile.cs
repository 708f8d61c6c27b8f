using System.Text;

namespace Drover.Operator.Tests.TestSupport;

/// <summary>
/// Compares output with a checked-in golden file under Golden/. With UPDATE_GOLDEN=1 the file is (re)written
/// instead; otherwise a mismatch fails with a line diff.
/// </summary>
public static class GoldenFile
{
    public static void AssertMatches(string name, string actual)
    {
        var path = Path.Combine(RepositoryPaths.GoldenDirectory, name);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"Golden file {name} does not exist; run the tests with UPDATE_GOLDEN=1 to create it, then review it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            Assert.Fail($"Output differs from Golden/{name} (run with UPDATE_GOLDEN=1 to accept):\n{Diff(expected, actual)}");
        }
    }

    /// <summary>A small unified-style diff: the first differing region with a little context.</summary>
    public static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var start = 0;
        while (start < a.Length && start < b.Length && a[start] == b[start])
        {
            start++;
        }

        var endA = a.Length - 1;
        var endB = b.Length - 1;
        while (endA >= start && endB >= start && a[endA] == b[endB])
        {
            endA--;
            endB--;
        }

        var text = new StringBuilder();
        text.AppendLine($"@@ line {start + 1} @@");
        for (var i = Math.Max(0, start - 3); i < start; i++)
        {
            text.AppendLine("  " + a[i]);
        }

        for (var i = start; i <= endA && i < start + 40; i++)
        {
            text.AppendLine("- " + a[i]);
        }

        for (var i = start; i <= endB && i < start + 40; i++)
        {
            text.AppendLine("+ " + b[i]);
        }

        return text.ToString();
    }
}
