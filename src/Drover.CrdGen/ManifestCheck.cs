namespace Drover.CrdGen;

/// <summary>Compares generated manifests with the files in a directory.</summary>
public static class ManifestCheck
{
    /// <summary>One line per difference; empty when the directory matches.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<GeneratedFile> generated, string directory)
    {
        var differences = new List<string>();
        foreach (var file in generated)
        {
            var path = Path.Combine(directory, file.FileName);
            if (!File.Exists(path))
            {
                differences.Add($"{file.FileName}: missing");
                continue;
            }

            var expected = file.Content.Split('\n');
            var actual = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            var line = FirstDifference(expected, actual);
            if (line >= 0)
            {
                var want = line < expected.Length ? expected[line] : "<end of file>";
                var have = line < actual.Length ? actual[line] : "<end of file>";
                differences.Add($"{file.FileName}: differs from line {line + 1}: expected `{want.Trim()}`, found `{have.Trim()}`");
            }
        }

        return differences;
    }

    private static int FirstDifference(string[] expected, string[] actual)
    {
        var common = Math.Min(expected.Length, actual.Length);
        for (var i = 0; i < common; i++)
        {
            if (!string.Equals(expected[i], actual[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return expected.Length == actual.Length ? -1 : common;
    }
}
