using System.Globalization;
using System.Text.RegularExpressions;

namespace Drover.DevCluster.Resources;

/// <summary>Kubernetes' version priority: GA before beta before alpha, higher numbers first, others last by name.</summary>
public sealed partial class KubeVersionOrder : IComparer<string>
{
    public static KubeVersionOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var a = Rank(x ?? string.Empty);
        var b = Rank(y ?? string.Empty);
        if (a.Stage != b.Stage)
        {
            return a.Stage.CompareTo(b.Stage);
        }

        if (a.Stage == 3)
        {
            return string.CompareOrdinal(x, y);
        }

        if (a.Major != b.Major)
        {
            return b.Major.CompareTo(a.Major);
        }

        return b.Minor.CompareTo(a.Minor);
    }

    private static (int Stage, int Major, int Minor) Rank(string version)
    {
        var match = VersionPattern().Match(version);
        if (!match.Success)
        {
            return (3, 0, 0);
        }

        var major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var stage = match.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
        return (stage, major, minor);
    }

    [GeneratedRegex("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$")]
    private static partial Regex VersionPattern();
}
