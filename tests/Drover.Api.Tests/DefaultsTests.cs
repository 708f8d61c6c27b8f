using Drover.Api.V1Alpha1;
using k8s.Models;

namespace Drover.Api.Tests;

public class DefaultsTests
{
    [Theory]
    [InlineData(ProviderTypes.OpenAI, "https://api.openai.com/v1")]
    [InlineData(ProviderTypes.Anthropic, "https://api.anthropic.com")]
    [InlineData(ProviderTypes.Gemini, "https://generativelanguage.googleapis.com/v1beta/openai")]
    [InlineData(ProviderTypes.Groq, "https://api.groq.com/openai/v1")]
    [InlineData(ProviderTypes.DeepSeek, "https://api.deepseek.com/v1")]
    [InlineData(ProviderTypes.OpenRouter, "https://openrouter.ai/api/v1")]
    [InlineData(ProviderTypes.Mistral, "https://api.mistral.ai/v1")]
    public void Hosted_providers_get_their_public_endpoint(string type, string endpoint)
    {
        var provider = Defaults.Apply(new ModelProvider { Spec = new ModelProviderSpec { Type = type } });
        Assert.Equal(endpoint, provider.Spec.Endpoint);
        Assert.Equal(endpoint, ProviderEndpoints.Resolve(provider));
    }

    [Theory]
    [InlineData(ProviderTypes.Ollama)]
    [InlineData(ProviderTypes.OpenAICompatible)]
    public void Self_hosted_types_get_no_endpoint(string type)
    {
        var provider = Defaults.Apply(new ModelProvider { Spec = new ModelProviderSpec { Type = type } });
        Assert.Null(provider.Spec.Endpoint);
        Assert.Null(ProviderEndpoints.Resolve(provider));
    }

    [Fact]
    public void An_explicit_endpoint_is_kept()
    {
        var provider = Defaults.Apply(new ModelProvider { Spec = new ModelProviderSpec { Type = ProviderTypes.OpenAI, Endpoint = "https://proxy.example.com/v1" } });
        Assert.Equal("https://proxy.example.com/v1", provider.Spec.Endpoint);
    }

    [Fact]
    public void A_service_reference_resolves_in_the_provider_namespace_and_gets_no_public_endpoint()
    {
        var provider = Defaults.Apply(new ModelProvider
        {
            Metadata = new V1ObjectMeta { Name = "vllm", NamespaceProperty = "models" },
            Spec = new ModelProviderSpec { Type = ProviderTypes.OpenAICompatible, ServiceRef = new ServiceReference { Name = "vllm", Port = 8000, Path = "/v1" } },
        });
        Assert.Null(provider.Spec.Endpoint);
        Assert.Equal("models", provider.Spec.ServiceRef!.Namespace);
        Assert.Equal("http://vllm.models.svc:8000/v1", ProviderEndpoints.Resolve(provider));
    }

    [Fact]
    public void Providers_are_private_to_their_namespace_by_default()
    {
        var provider = Defaults.Apply(new ModelProvider { Spec = new ModelProviderSpec { Type = ProviderTypes.OpenAI } });
        Assert.Equal(NamespacesFrom.Same, provider.Spec.AllowedNamespaces!.From);
    }

    [Fact]
    public void Agent_defaults_are_one_replica_restricted_egress_and_small_resources()
    {
        var agent = Defaults.Apply(new Agent { Spec = new AgentSpec { Image = "x", Port = 8080 } });
        Assert.Equal(1, agent.Spec.Replicas);
        Assert.Equal(EgressModes.Restricted, agent.Spec.Network!.Egress);
        Assert.Equal("/healthz", agent.Spec.Health!.Path);
        Assert.Equal("10m", agent.Spec.Resources!.Requests["cpu"].ToString());
        Assert.Equal("32Mi", agent.Spec.Resources.Requests["memory"].ToString());
        Assert.Equal("256Mi", agent.Spec.Resources.Limits["memory"].ToString());
    }

    [Fact]
    public void Agent_without_a_port_gets_no_health_check()
    {
        var agent = Defaults.Apply(new Agent { Spec = new AgentSpec { Image = "x" } });
        Assert.Null(agent.Spec.Health);
    }

    [Fact]
    public void Agent_workspace_is_retained_and_its_pods_run_as_65532_unless_set()
    {
        var agent = Defaults.Apply(new Agent
        {
            Spec = new AgentSpec
            {
                Image = "x",
                Storage = new WorkspaceStorage { Size = new ResourceQuantity("1Gi") },
                SecurityContext = new AgentSecurityContext { RunAsUser = 1000 },
            },
        });
        Assert.Equal(WorkspaceRetention.Retain, agent.Spec.Storage!.WhenDeleted);
        Assert.Equal(1000, agent.Spec.SecurityContext!.RunAsUser);
        Assert.Equal(65532, agent.Spec.SecurityContext.RunAsGroup);
        Assert.Equal(65532, agent.Spec.SecurityContext.FsGroup);
    }

    [Fact]
    public void Explicit_agent_values_win_and_zero_replicas_stay_parked()
    {
        var resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1Gi") } };
        var agent = Defaults.Apply(new Agent
        {
            Spec = new AgentSpec { Image = "x", Replicas = 0, Resources = resources, Network = new NetworkPolicySpec { Egress = EgressModes.Unrestricted } },
        });
        Assert.Equal(0, agent.Spec.Replicas);
        Assert.Equal(EgressModes.Unrestricted, agent.Spec.Network!.Egress);
        Assert.Null(agent.Spec.Resources!.Requests);
        Assert.Equal("1Gi", agent.Spec.Resources.Limits["memory"].ToString());
    }

    [Fact]
    public void Schedule_defaults_forbid_overlap_keep_three_successes_one_failure_and_pin_utc()
    {
        var schedule = Defaults.Apply(new Schedule { Spec = new ScheduleSpec { Schedule = "@daily", Prompt = "p" } });
        Assert.Equal(ConcurrencyPolicies.Forbid, schedule.Spec.ConcurrencyPolicy);
        Assert.Equal(3, schedule.Spec.History!.Successful);
        Assert.Equal(1, schedule.Spec.History.Failed);
        Assert.Equal(0, schedule.Spec.Retries);
        Assert.False(schedule.Spec.Suspend);
        Assert.Equal("UTC", schedule.Spec.TimeZone);
    }

    [Fact]
    public void Partial_history_is_completed_not_replaced()
    {
        var schedule = Defaults.Apply(new Schedule { Spec = new ScheduleSpec { History = new RunHistory { Failed = 5 } } });
        Assert.Equal(3, schedule.Spec.History!.Successful);
        Assert.Equal(5, schedule.Spec.History.Failed);
    }

    [Fact]
    public void Applying_defaults_leaves_the_input_untouched()
    {
        // Informer caches hand out shared objects; defaulting must not write into them.
        var agent = new Agent { Spec = new AgentSpec { Image = "x" } };
        var provider = new ModelProvider { Spec = new ModelProviderSpec { Type = ProviderTypes.OpenAI } };
        var schedule = new Schedule { Spec = new ScheduleSpec { Schedule = "@daily" } };

        Assert.NotSame(agent, Defaults.Apply(agent));
        Assert.NotSame(provider, Defaults.Apply(provider));
        Assert.NotSame(schedule, Defaults.Apply(schedule));

        Assert.Null(agent.Spec.Replicas);
        Assert.Null(agent.Spec.Network);
        Assert.Null(provider.Spec.Endpoint);
        Assert.Null(schedule.Spec.History);
    }
}
