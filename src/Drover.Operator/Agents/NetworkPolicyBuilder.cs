using Drover.Api.V1Alpha1;
using Drover.Operator.Children;
using Drover.Operator.ModelProviders;
using Drover.Operator.Resolution;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// NetworkPolicy <c>a</c>, when egress is Restricted: the agent's pods (and its Schedule runs) may reach DNS (the
/// operator's <c>--dns-peers</c>, on 53 and 5353 over UDP and TCP), their model providers (in Gateway mode: the gateway
/// instead) and the listed extras, nothing else. A provider with a public host name is reached through any public
/// address, IPv4 or IPv6, on its port: a NetworkPolicy cannot name a host, only addresses. Ingress is left alone.
/// </summary>
internal static class NetworkPolicyBuilder
{
    /// <summary>Private, shared and link-local IPv4 ranges a public provider is never in; 169.254/16 holds cloud metadata.</summary>
    public static IReadOnlyList<string> NonPublicRanges { get; } =
        ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];

    /// <summary>
    /// The IPv6 ranges a public provider is never in: IPv4-mapped addresses (which would reach the IPv4 ranges above),
    /// unique local (fc00::/7, which holds cloud metadata such as fd00:ec2::254), site-local and link-local.
    /// </summary>
    public static IReadOnlyList<string> NonPublicRangesIPv6 { get; } =
        ["::ffff:0:0/96", "fc00::/7", "fe80::/10", "fec0::/10"];

    private const string NamespaceNameLabel = InMemoryCluster.NamespaceNameLabel;

    /// <param name="plan">The resolved agent; its providers' destinations carry what resolution found of their Services.</param>
    /// <param name="options">Where DNS is (<see cref="OperatorOptions.DnsPeers"/>).</param>
    public static V1NetworkPolicy? Build(AgentPlan plan, OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        if (!plan.IsEgressRestricted)
        {
            return null;
        }

        // A rule without peers would allow every destination, so no DNS peers means no DNS rule.
        var rules = new List<V1NetworkPolicyEgressRule>();
        if (options.DnsPeers.Count > 0)
        {
            rules.Add(Dns(options.DnsPeers));
        }

        var inCluster = new SortedDictionary<(string Namespace, string Name), V1NetworkPolicyEgressRule>();
        var publicPorts = new SortedSet<int>();
        var addressRules = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        IEnumerable<ProviderDestination> destinations = plan.Gateway is { } gateway
            ? [gateway.Destination]
            : plan.Chain.Providers.Select(p => p.Destination);
        foreach (var destination in destinations)
        {
            switch (destination)
            {
                case InClusterDestination service:
                    inCluster.TryAdd((service.Service.Namespace, service.Service.Name), InClusterRule(service));
                    break;
                case AddressDestination address:
                    if (!addressRules.TryGetValue(address.Cidr, out var ports))
                    {
                        addressRules[address.Cidr] = ports = [];
                    }

                    ports.Add(address.Port);
                    break;
                case PublicDestination host:
                    publicPorts.Add(host.Port);
                    break;
            }
        }

        rules.AddRange(inCluster.Values);
        if (publicPorts.Count > 0)
        {
            rules.Add(new V1NetworkPolicyEgressRule
            {
                To =
                [
                    new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = [.. NonPublicRanges] } },
                    new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "::/0", Except = [.. NonPublicRangesIPv6] } },
                ],
                Ports = [.. publicPorts.Select(Tcp)],
            });
        }

        rules.AddRange(addressRules.Select(pair => new V1NetworkPolicyEgressRule
        {
            To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = pair.Key } }],
            Ports = [.. pair.Value.Select(Tcp)],
        }));

        foreach (var allow in plan.Spec.Network?.Allow ?? [])
        {
            rules.Add(new V1NetworkPolicyEgressRule
            {
                To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = allow.Cidr } }],
                Ports = allow.Ports is { Count: > 0 } ports ? [.. ports.Distinct().Order().Select(Tcp)] : null,
            });
        }

        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = V1NetworkPolicy.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.Name, plan.Name, ChildLabels.AgentComponent),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector { MatchLabels = ChildLabels.AllAgentPodsSelector(plan.Name) },
                PolicyTypes = ["Egress"],
                Egress = rules,
            },
        };
    }

    private static V1NetworkPolicyEgressRule Dns(IReadOnlyList<DnsPeer> peers) => new()
    {
        To = [.. peers.Select(DnsPeerOf)],
        Ports = [.. DnsPeer.Ports.SelectMany(port => new[] { new V1NetworkPolicyPort { Protocol = "UDP", Port = port }, new V1NetworkPolicyPort { Protocol = "TCP", Port = port } })],
    };

    private static V1NetworkPolicyPeer DnsPeerOf(DnsPeer peer) => peer.Cidr is { } cidr
        ? new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = cidr } }
        : new V1NetworkPolicyPeer
        {
            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = peer.Namespace! } },
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [peer.LabelKey!] = peer.LabelValue! } },
        };

    // When the Service is unknown (not created yet, or not given to render) the rule allows the provider's whole
    // namespace on the Service port.
    private static V1NetworkPolicyEgressRule InClusterRule(InClusterDestination destination)
    {
        var peer = new V1NetworkPolicyPeer
        {
            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NamespaceNameLabel] = destination.Service.Namespace } },
        };
        if (destination.Selector is { Count: > 0 } selector)
        {
            peer.PodSelector = new V1LabelSelector { MatchLabels = new SortedDictionary<string, string>(selector.ToDictionary(), StringComparer.Ordinal) };
        }

        return new V1NetworkPolicyEgressRule
        {
            To = [peer],
            Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = destination.TargetPort ?? (IntOrString)destination.Service.Port }],
        };
    }

    private static V1NetworkPolicyPort Tcp(int port) => new() { Protocol = "TCP", Port = port };
}
