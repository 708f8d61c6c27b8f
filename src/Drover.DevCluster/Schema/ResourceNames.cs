using System.Text.RegularExpressions;

namespace Drover.DevCluster.Schema;

/// <summary>The object-name rules of apimachinery's <c>validation</c> package, with its messages.</summary>
internal static partial class ResourceNames
{
    public const int DnsSubdomainMaxLength = 253;

    public const string DnsSubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    public const string Dns1035LabelMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    /// <summary>The problems with <paramref name="name"/> as a DNS subdomain (empty when it is one).</summary>
    public static IReadOnlyList<string> DnsSubdomainProblems(string name)
    {
        var problems = new List<string>();
        if (name.Length > DnsSubdomainMaxLength)
        {
            problems.Add($"must be no more than {DnsSubdomainMaxLength} characters");
        }

        if (!DnsSubdomainPattern().IsMatch(name))
        {
            problems.Add(DnsSubdomainMessage);
        }

        return problems;
    }

    /// <summary>The problems with <paramref name="label"/> as a DNS-1035 label (empty when it is one).</summary>
    public static IReadOnlyList<string> Dns1035LabelProblems(string label)
    {
        var problems = new List<string>();
        if (label.Length > 63)
        {
            problems.Add("must be no more than 63 characters");
        }

        if (!Dns1035LabelPattern().IsMatch(label))
        {
            problems.Add(Dns1035LabelMessage);
        }

        return problems;
    }

    /// <summary>The problems with <paramref name="name"/> as one segment of a URL path.</summary>
    public static IReadOnlyList<string> PathSegmentProblems(string name)
    {
        if (name is "." or "..")
        {
            return [$"may not be '{name}'"];
        }

        var problems = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                problems.Add($"may not contain '{illegal}'");
            }
        }

        return problems;
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomainPattern();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035LabelPattern();
}
