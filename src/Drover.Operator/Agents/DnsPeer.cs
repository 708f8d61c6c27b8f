using System.Net;

namespace Drover.Operator.Agents;

/// <summary>
/// Where agents may send DNS queries when their egress is Restricted: pods with a label in a namespace
/// (<c>kube-system/k8s-app=kube-dns</c>), or an address range (<c>169.254.20.10/32</c>). Given to the operator with
/// <c>--dns-peers</c>, comma-separated.
/// </summary>
internal sealed record DnsPeer
{
    private DnsPeer(string? ns, string? labelKey, string? labelValue, string? cidr)
    {
        Namespace = ns;
        LabelKey = labelKey;
        LabelValue = labelValue;
        Cidr = cidr;
    }

    /// <summary>The namespace of the DNS pods, or null for an address range.</summary>
    public string? Namespace { get; }

    public string? LabelKey { get; }

    public string? LabelValue { get; }

    /// <summary>The address range, or null for pods.</summary>
    public string? Cidr { get; }

    /// <summary>
    /// The ports DNS servers listen on, each over UDP and TCP: 53, and 5353 where the DNS pods listen behind the
    /// Service's port 53 (OpenShift). A NetworkPolicy sees the pod's port, not the Service's.
    /// </summary>
    public static IReadOnlyList<int> Ports { get; } = [53, 5353];

    /// <summary>
    /// kube-dns and CoreDNS (both labelled <c>k8s-app=kube-dns</c> in kube-system), OpenShift's DNS pods, and
    /// NodeLocal DNSCache at its usual link-local address.
    /// </summary>
    public static IReadOnlyList<DnsPeer> Defaults { get; } =
    [
        Pods("kube-system", "k8s-app", "kube-dns"),
        Pods("openshift-dns", "dns.operator.openshift.io/daemonset-dns", "default"),
        Range("169.254.20.10/32"),
    ];

    /// <summary>The defaults as <c>--dns-peers</c> writes them.</summary>
    public static string DefaultsText => string.Join(",", Defaults);

    public static DnsPeer Pods(string ns, string labelKey, string labelValue) => new(ns, labelKey, labelValue, null);

    public static DnsPeer Range(string cidr) => new(null, null, null, cidr);

    /// <summary>
    /// Reads a comma-separated list of <c>NAMESPACE/LABEL=VALUE</c> and <c>CIDR</c> entries. Returns null and sets
    /// <paramref name="error"/> on an entry that is neither.
    /// </summary>
    public static IReadOnlyList<DnsPeer>? ParseList(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var peers = new List<DnsPeer>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Parse(entry) is not { } peer)
            {
                error = $"\"{entry}\" is neither NAMESPACE/LABEL=VALUE (for example kube-system/k8s-app=kube-dns) nor a CIDR (for example 169.254.20.10/32 or fd00::10/128)";
                return null;
            }

            peers.Add(peer);
        }

        return peers;
    }

    private static DnsPeer? Parse(string entry)
    {
        var equals = entry.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return IPNetwork.TryParse(entry, out var network) && entry.Contains('/', StringComparison.Ordinal) ? Range(network.ToString()) : null;
        }

        // A namespace name has no slash; a label key may (dns.operator.openshift.io/daemonset-dns).
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash > equals)
        {
            return null;
        }

        var (ns, key, value) = (entry[..slash], entry[(slash + 1)..equals], entry[(equals + 1)..]);
        var name = key[(key.LastIndexOf('/') + 1)..];
        return IsDnsLabel(ns) && IsLabelPart(name) && name.Length > 0 && (value.Length == 0 || IsLabelPart(value))
            ? Pods(ns, key, value)
            : null;
    }

    // The name part of a label key and a label value: at most 63 letters, digits, '-', '_' or '.'.
    private static bool IsLabelPart(string text) =>
        text.Length <= 63 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsDnsLabel(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') && name[0] != '-' && name[^1] != '-';

    public override string ToString() => Cidr ?? $"{Namespace}/{LabelKey}={LabelValue}";
}
