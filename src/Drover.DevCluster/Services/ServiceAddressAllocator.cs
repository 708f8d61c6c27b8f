using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Schema;
using Drover.DevCluster.Storage;

namespace Drover.DevCluster.Services;

/// <summary>
/// What the Service registry adds to a Service beyond defaulting: its cluster IP from the service CIDR
/// (10.96.0.0/12, as kubeadm configures), the IP family fields of a single-stack IPv4 cluster, and node ports
/// from 30000-32767 (k8s.io/kubernetes pkg/registry/core/service/storage: alloc.go, storage.go). Addresses are
/// never handed out twice, kept across updates, and released when the Service goes.
/// </summary>
public sealed class ServiceAddressAllocator
{
    public const string ServiceCidr = "10.96.0.0/12";
    public const string NodePortRange = "30000-32767";

    private const string None = "None";
    private static readonly uint CidrBase = ToNumber(IPAddress.Parse("10.96.0.0"));
    private const int CidrBits = 12;

    // The network and broadcast addresses are never handed out. The static band is min(max(16, size/16), 256)
    // addresses for IPs and min(max(16, size/32), 128) ports, as upstream sizes them.
    private readonly AddressPool _ips = new(CidrBase + 1, CidrBase + (1u << (32 - CidrBits)) - 2, 256);
    private readonly AddressPool _nodePorts = new(30000, 32767, 86);

    /// <summary>The first address of the range, which a real cluster gives the <c>kubernetes</c> Service.</summary>
    public static string FirstAddress => ToText(CidrBase + 1);

    /// <summary>Fills in the addresses of a Service being created (defaults already applied).</summary>
    public void OnCreate(JsonObject service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (service["spec"] is not JsonObject spec)
        {
            return;
        }

        var uid = Json.String(service, "metadata", "uid") ?? string.Empty;
        var name = Json.String(service, "metadata", "name") ?? string.Empty;

        // A client that sets only clusterIP (the singular field of old clients) means clusterIPs too.
        if (!string.IsNullOrEmpty(Json.String(spec, "clusterIP")) && spec["clusterIPs"] is not JsonArray { Count: > 0 })
        {
            spec["clusterIPs"] = new JsonArray(Json.String(spec, "clusterIP"));
        }

        try
        {
            RejectAddressesOnExternalName(spec, name);
            InitIpFamilies(spec, name, old: null);
            AllocateClusterIp(spec, name, uid);
            AllocateNodePorts(spec, name, uid);
        }
        catch (ApiException)
        {
            Release(uid);
            throw;
        }
    }

    /// <summary>
    /// Carries the old addresses into an update that leaves them out (a PUT or apply without clusterIP), rejects
    /// changing them, and allocates what a type change newly needs.
    /// </summary>
    public void OnUpdate(JsonObject old, JsonObject next)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(next);
        if (old["spec"] is not JsonObject oldSpec || next["spec"] is not JsonObject spec)
        {
            return;
        }

        var uid = Json.String(old, "metadata", "uid") ?? string.Empty;
        var name = Json.String(old, "metadata", "name") ?? string.Empty;
        DropTypeDependentFields(oldSpec, spec);
        PatchAllocatedValues(oldSpec, spec);
        NormalizeClusterIps(oldSpec, spec);
        RejectAddressesOnExternalName(spec, name);
        InitIpFamilies(spec, name, oldSpec);
        ValidateUnchangedClusterIps(oldSpec, spec, name);
        AllocateClusterIp(spec, name, uid);
        AllocateNodePorts(spec, name, uid);
    }

    /// <summary>Frees what a Service that was never stored (a failed or dry-run create) had been given.</summary>
    public void Release(string uid)
    {
        _ips.Release(uid);
        _nodePorts.Release(uid);
    }

    /// <summary>Follows the store: a Service holds exactly the addresses it is stored with, and none once deleted.</summary>
    public void Observe(StoreEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Bucket != "services" || change.Object is not { } stored)
        {
            return;
        }

        if (change.Type == "DELETED")
        {
            Release(stored.Uid);
            return;
        }

        var spec = stored.Object["spec"] as JsonObject;
        var ips = Json.Strings(spec?["clusterIPs"]).Select(TryParse).OfType<uint>().Where(ip => _ips.Contains(ip)).Select(ip => (long)ip).ToList();
        var ports = (spec?["ports"] as JsonArray ?? []).Select(p => Json.Integer(p, "nodePort") ?? 0).Where(_nodePorts.Contains).Distinct().ToList();
        _ips.Reconcile(stored.Uid, ips);
        _nodePorts.Reconcile(stored.Uid, ports);
    }

    public bool IsAllocated(string ip) => TryParse(ip) is { } number && _ips.IsTaken(number);

    private static bool NeedsClusterIp(JsonObject spec) => Json.String(spec, "type") != "ExternalName";

    private static bool NeedsNodePorts(JsonObject spec) => Json.String(spec, "type") switch
    {
        "NodePort" => true,
        "LoadBalancer" => Json.At(spec, "allocateLoadBalancerNodePorts") is not JsonValue allocate || !allocate.TryGetValue<bool>(out var yes) || yes,
        _ => false,
    };

    private static bool IsHeadless(JsonObject spec) => Json.Strings(spec["clusterIPs"]) is [None];

    /// <summary>
    /// dropTypeDependentFields: a type change that no longer needs a cluster IP or node ports clears the ones the
    /// server allocated, unless the update itself set them.
    /// </summary>
    private static void DropTypeDependentFields(JsonObject oldSpec, JsonObject spec)
    {
        if (NeedsClusterIp(oldSpec) && !NeedsClusterIp(spec))
        {
            if (Json.Strings(oldSpec["clusterIPs"]).SequenceEqual(Json.Strings(spec["clusterIPs"])))
            {
                spec.Remove("clusterIP");
                spec.Remove("clusterIPs");
            }

            foreach (var field in (string[])["ipFamilies", "ipFamilyPolicy"])
            {
                if (JsonNode.DeepEquals(oldSpec[field], spec[field]))
                {
                    spec.Remove(field);
                }
            }
        }

        if (NeedsNodePorts(oldSpec) && !NeedsNodePorts(spec))
        {
            static List<long> NodePorts(JsonObject s) => [.. (s["ports"] as JsonArray ?? []).Select(p => Json.Integer(p, "nodePort") ?? 0)];
            if (NodePorts(oldSpec).SequenceEqual(NodePorts(spec)))
            {
                foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    port.Remove("nodePort");
                }
            }
        }
    }

    /// <summary>An ExternalName Service is a DNS alias: it may carry no cluster IP.</summary>
    private static void RejectAddressesOnExternalName(JsonObject spec, string name)
    {
        if (!NeedsClusterIp(spec) && Json.Strings(spec["clusterIPs"]).Count > 0)
        {
            throw ApiException.Invalid(string.Empty, "Service", name, [("spec.clusterIPs", "FieldValueForbidden", "Forbidden: may not be set for ExternalName services")]);
        }
    }

    /// <summary>patchAllocatedValues: an update that omits what was allocated keeps it.</summary>
    private static void PatchAllocatedValues(JsonObject oldSpec, JsonObject spec)
    {
        if (NeedsClusterIp(oldSpec) && NeedsClusterIp(spec))
        {
            if (string.IsNullOrEmpty(Json.String(spec, "clusterIP")) && oldSpec["clusterIP"] is { } ip)
            {
                spec["clusterIP"] = ip.DeepClone();
            }

            if (spec["clusterIPs"] is not JsonArray { Count: > 0 } && oldSpec["clusterIPs"] is JsonArray { Count: > 0 } ips)
            {
                spec["clusterIPs"] = ips.DeepClone();
            }
        }

        if (NeedsNodePorts(oldSpec) && NeedsNodePorts(spec))
        {
            var oldPorts = (oldSpec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var newPorts = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var used = newPorts.Select(p => Json.Integer(p, "nodePort") ?? 0).Where(p => p != 0).ToHashSet();
            foreach (var port in newPorts.Where(p => (Json.Integer(p, "nodePort") ?? 0) == 0))
            {
                var previous = oldPorts.FirstOrDefault(p => Json.String(p, "name") == Json.String(port, "name"));
                if (previous is not null && Json.Integer(previous, "nodePort") is { } number and not 0 && used.Add(number))
                {
                    port["nodePort"] = number;
                }
            }
        }
    }

    /// <summary>normalizeClusterIPs on update: keep the singular and plural fields in step.</summary>
    private static void NormalizeClusterIps(JsonObject oldSpec, JsonObject spec)
    {
        var oldIp = Json.String(oldSpec, "clusterIP") ?? string.Empty;
        var newIp = Json.String(spec, "clusterIP") ?? string.Empty;
        var oldIps = Json.Strings(oldSpec["clusterIPs"]);
        var sameIps = oldIps.SequenceEqual(Json.Strings(spec["clusterIPs"]));
        if (oldIps.Count > 0 && spec["clusterIPs"] is not JsonArray { Count: > 0 } && oldIp == newIp)
        {
            spec["clusterIPs"] = oldSpec["clusterIPs"]!.DeepClone();
            sameIps = true;
        }

        if (oldIp != newIp && sameIps)
        {
            spec["clusterIPs"] = newIp.Length == 0 ? null : new JsonArray(newIp);
            if (newIp.Length == 0)
            {
                spec.Remove("clusterIPs");
            }
        }
    }

    /// <summary>initIPFamilyFields for a single-stack IPv4 cluster: SingleStack and [IPv4] unless asked otherwise.</summary>
    private static void InitIpFamilies(JsonObject spec, string name, JsonObject? old)
    {
        if (!NeedsClusterIp(spec))
        {
            return;
        }

        var headlessWithoutSelector = Json.String(spec, "clusterIP") == None && spec["selector"] is not JsonObject { Count: > 0 };
        if (spec["ipFamilyPolicy"] is null)
        {
            spec["ipFamilyPolicy"] = old?["ipFamilyPolicy"]?.DeepClone()
                ?? (headlessWithoutSelector ? "RequireDualStack" : "SingleStack");
        }

        var policy = Json.String(spec, "ipFamilyPolicy");
        var errors = new List<(string, string, string)>();
        if (policy is not ("SingleStack" or "PreferDualStack" or "RequireDualStack"))
        {
            errors.Add(("spec.ipFamilyPolicy", "FieldValueNotSupported", $"Unsupported value: {GoValueFormat.Quote(policy ?? string.Empty)}: supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\""));
        }

        var ips = Json.Strings(spec["clusterIPs"]);
        var families = Json.Strings(spec["ipFamilies"]);
        for (var i = 0; i < ips.Count; i++)
        {
            if (ips[i] == None)
            {
                break;
            }

            if (!IPAddress.TryParse(ips[i], out var address) || address.ToString() != ips[i])
            {
                errors.Add(($"spec.clusterIPs[{i}]", "FieldValueInvalid", $"Invalid value: {GoValueFormat.Quote(ips[i])}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
                continue;
            }

            var family = address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
            if (i >= families.Count)
            {
                if (family == "IPv6")
                {
                    errors.Add(($"spec.clusterIPs[{i}]", "FieldValueInvalid", $"Invalid value: {StringList(ips)}: IPv6 is not configured on this cluster"));
                }
                else
                {
                    families.Add(family);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(string.Empty, "Service", name, errors);
        }

        if (headlessWithoutSelector)
        {
            // Headless and selectorless: families are only labels here, so the other one is added unless SingleStack.
            if (families.Count == 0)
            {
                families.Add("IPv4");
            }

            if (families.Count < 2 && policy != "SingleStack")
            {
                families.Add(families[0] == "IPv4" ? "IPv6" : "IPv4");
            }

            spec["ipFamilies"] = Json.ToArray(families);
            return;
        }

        if (policy == "RequireDualStack")
        {
            errors.Add(("spec.ipFamilyPolicy", "FieldValueInvalid", $"Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"));
        }

        for (var i = 0; i < families.Count; i++)
        {
            if (families[i] != "IPv4")
            {
                errors.Add(($"spec.ipFamilies[{i}]", "FieldValueInvalid", $"Invalid value: {GoValueFormat.Quote(families[i])}: not configured on this cluster"));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(string.Empty, "Service", name, errors);
        }

        spec["ipFamilies"] = new JsonArray("IPv4");
    }

    /// <summary>validateUpgradeDowngradeClusterIPs: the primary cluster IP never changes once set.</summary>
    private static void ValidateUnchangedClusterIps(JsonObject oldSpec, JsonObject spec, string name)
    {
        if (!NeedsClusterIp(oldSpec) || !NeedsClusterIp(spec) || (IsHeadless(oldSpec) && IsHeadless(spec)))
        {
            return;
        }

        var oldIps = Json.Strings(oldSpec["clusterIPs"]);
        var ips = Json.Strings(spec["clusterIPs"]);
        if (oldIps.Count > 0 && ips.Count == 0)
        {
            throw ApiException.Invalid(string.Empty, "Service", name, [("spec.clusterIPs[0]", "FieldValueInvalid", "Invalid value: []string(nil): primary clusterIP can not be unset")]);
        }

        if (oldIps.Count > 0 && oldIps[0] != ips[0])
        {
            throw ApiException.Invalid(string.Empty, "Service", name, [("spec.clusterIPs[0]", "FieldValueInvalid", $"Invalid value: {StringList(ips)}: may not change once set")]);
        }
    }

    private void AllocateClusterIp(JsonObject spec, string name, string uid)
    {
        if (!NeedsClusterIp(spec) || IsHeadless(spec) || Json.String(spec, "clusterIP") == None)
        {
            if (IsHeadless(spec) || Json.String(spec, "clusterIP") == None)
            {
                spec["clusterIP"] = None;
                spec["clusterIPs"] = new JsonArray(None);
            }

            return;
        }

        var ips = Json.Strings(spec["clusterIPs"]);
        string ip;
        if (ips.Count == 0 || ips[0].Length == 0)
        {
            var next = _ips.TakeNext(uid) ?? throw ApiException.Internal("Internal error occurred: failed to allocate a serviceIP: range is full");
            ip = ToText((uint)next);
        }
        else
        {
            ip = ips[0];
            var number = TryParse(ip);
            if (number is null || !_ips.Contains(number.Value))
            {
                throw ApiException.Invalid(string.Empty, "Service", name, [("spec.clusterIPs", "FieldValueInvalid",
                    $"Invalid value: {StringList(ips)}: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {ServiceCidr}")]);
            }

            if (!_ips.TryTake(number.Value, uid))
            {
                throw ApiException.Invalid(string.Empty, "Service", name, [("spec.clusterIPs", "FieldValueInvalid",
                    $"Invalid value: {StringList(ips)}: failed to allocate IP {ip}: provided IP is already allocated")]);
            }
        }

        spec["clusterIP"] = ip;
        spec["clusterIPs"] = new JsonArray(ip);
    }

    private void AllocateNodePorts(JsonObject spec, string name, string uid)
    {
        var ports = (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (!NeedsNodePorts(spec))
        {
            return;
        }

        for (var i = 0; i < ports.Count; i++)
        {
            var requested = Json.Integer(ports[i], "nodePort") ?? 0;
            if (requested == 0)
            {
                ports[i]["nodePort"] = _nodePorts.TakeNext(uid) ?? throw ApiException.Internal("Internal error occurred: failed to allocate a nodePort: range is full");
                continue;
            }

            var why = !_nodePorts.Contains(requested) ? $"provided port is not in the valid range. The range of valid ports is {NodePortRange}"
                : !_nodePorts.TryTake(requested, uid) ? "provided port is already allocated"
                : null;
            if (why is not null)
            {
                throw ApiException.Invalid(string.Empty, "Service", name, [($"spec.ports[{i}].nodePort", "FieldValueInvalid", $"Invalid value: {requested.ToString(CultureInfo.InvariantCulture)}: {why}")]);
            }
        }
    }

    /// <summary>A <c>[]string</c> as Go's <c>%#v</c> prints it in field errors.</summary>
    private static string StringList(List<string> values) =>
        "[]string{" + string.Join(", ", values.Select(GoValueFormat.Quote)) + "}";

    private static uint? TryParse(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork && address.ToString() == text
            ? ToNumber(address)
            : null;

    private static uint ToNumber(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static string ToText(uint number) =>
        new IPAddress([(byte)(number >> 24), (byte)(number >> 16), (byte)(number >> 8), (byte)number]).ToString();
}
