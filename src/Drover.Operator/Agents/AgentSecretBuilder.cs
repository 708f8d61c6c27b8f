using System.Text;
using Drover.Operator.Children;
using k8s.Models;

namespace Drover.Operator.Agents;

/// <summary>
/// Secret <c>a-config</c>: <c>agent.json</c> and the API keys and secret header values of the agent's providers.
/// Written as <c>data</c> (what the API server stores), so a cached copy compares equal and nothing is rewritten.
/// </summary>
internal static class AgentSecretBuilder
{
    public static V1Secret Build(AgentPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var data = new SortedDictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [AgentConfiguration.DocumentKey] = Encoding.UTF8.GetBytes(plan.Configuration.Document),
        };
        foreach (var (key, value) in plan.Configuration.SecretValues)
        {
            data[key] = Encoding.UTF8.GetBytes(value);
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = V1Secret.KubeKind,
            Metadata = ChildMetadata.For(plan.Agent, plan.SecretName, plan.Name, ChildLabels.AgentComponent),
            Type = "Opaque",
            Data = data,
        };
    }
}
