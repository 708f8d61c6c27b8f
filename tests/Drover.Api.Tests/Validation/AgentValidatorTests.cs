using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using k8s.Models;

namespace Drover.Api.Tests.Validation;

public class AgentValidatorTests
{
    private static Agent Agent() => new()
    {
        Metadata = new V1ObjectMeta { Name = "echo", NamespaceProperty = "default" },
        Spec = new AgentSpec
        {
            Image = "ghcr.io/drover-dev/echo-agent:0.1.0",
            Model = new AgentModel { ProviderRef = new ProviderReference { Name = "openai" } },
        },
    };

    private static void AssertOnlyError(Agent agent, string field, string? messagePart = null)
    {
        var error = Assert.Single(AgentValidator.Validate(agent));
        Assert.Equal(field, error.Field);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertValid(Agent agent) => Assert.Empty(AgentValidator.Validate(agent));

    [Fact]
    public void A_minimal_agent_is_valid() => AssertValid(Agent());

    [Fact]
    public void Image_is_required()
    {
        var agent = Agent();
        agent.Spec.Image = "";
        AssertOnlyError(agent, "spec.image", "required");
    }

    [Fact]
    public void Image_without_whitespace()
    {
        var agent = Agent();
        agent.Spec.Image = "ghcr.io/x/y: 1";
        AssertOnlyError(agent, "spec.image", "whitespace");
    }

    [Fact]
    public void ImagePullPolicy_must_be_known()
    {
        var agent = Agent();
        agent.Spec.ImagePullPolicy = "Sometimes";
        AssertOnlyError(agent, "spec.imagePullPolicy", "IfNotPresent");
        agent.Spec.ImagePullPolicy = ImagePullPolicies.IfNotPresent;
        AssertValid(agent);
    }

    [Fact]
    public void RunOnce_names_a_process_with_command_args_or_both()
    {
        var agent = Agent();
        agent.Spec.RunOnce = new RunOnceCommand();
        AssertOnlyError(agent, "spec.runOnce", "spec.runOnce.args");
        agent.Spec.RunOnce.Command = [];
        agent.Spec.RunOnce.Args = [];
        AssertOnlyError(agent, "spec.runOnce", "spec.runOnce.command");

        // An image whose entrypoint is the agent binary (picoclaw agent -m ...) takes args alone, as a container does.
        agent.Spec.RunOnce = new RunOnceCommand { Args = ["agent", "-m", "$(DROVER_PROMPT)"] };
        AssertValid(agent);
        agent.Spec.RunOnce = new RunOnceCommand { Command = ["agent", "-m", "$(DROVER_PROMPT)"] };
        AssertValid(agent);
        agent.Spec.RunOnce = new RunOnceCommand { Command = ["agent"], Args = ["-m", "$(DROVER_PROMPT)"] };
        AssertValid(agent);
    }

    [Fact]
    public void Provider_reference_is_required()
    {
        var agent = Agent();
        agent.Spec.Model.ProviderRef.Name = "";
        AssertOnlyError(agent, "spec.model.providerRef.name");
    }

    [Fact]
    public void Empty_model_name_is_rejected_absent_is_fine()
    {
        var agent = Agent();
        agent.Spec.Model.Name = " ";
        AssertOnlyError(agent, "spec.model.name", "defaultModel");
        agent.Spec.Model.Name = null;
        AssertValid(agent);
    }

    [Fact]
    public void Fallbacks_need_a_provider_and_must_not_repeat_the_chain()
    {
        var agent = Agent();
        agent.Spec.Model.Name = "gpt-4o-mini";
        agent.Spec.Model.Fallbacks = [new ModelFallback { ProviderRef = new ProviderReference { Name = "" } }];
        AssertOnlyError(agent, "spec.model.fallbacks[0].providerRef.name");

        agent.Spec.Model.Fallbacks = [new ModelFallback { ProviderRef = new ProviderReference { Name = "openai" }, Name = "gpt-4o-mini" }];
        AssertOnlyError(agent, "spec.model.fallbacks[0]", "already earlier");

        agent.Spec.Model.Fallbacks =
        [
            new ModelFallback { ProviderRef = new ProviderReference { Name = "openai" }, Name = "gpt-4o" },
            new ModelFallback { ProviderRef = new ProviderReference { Name = "ollama" } },
        ];
        AssertValid(agent);
    }

    [Fact]
    public void Fallback_model_name_cannot_be_empty()
    {
        var agent = Agent();
        agent.Spec.Model.Fallbacks = [new ModelFallback { ProviderRef = new ProviderReference { Name = "ollama" }, Name = "" }];
        AssertOnlyError(agent, "spec.model.fallbacks[0].name");
    }

    [Theory]
    [InlineData(-0.1, null, null, "spec.model.parameters.temperature")]
    [InlineData(2.5, null, null, "spec.model.parameters.temperature")]
    [InlineData(null, 1.5, null, "spec.model.parameters.topP")]
    [InlineData(null, null, 0, "spec.model.parameters.maxTokens")]
    public void Parameters_are_range_checked(double? temperature, double? topP, int? maxTokens, string field)
    {
        var agent = Agent();
        agent.Spec.Model.Parameters = new ModelParameters { Temperature = temperature, TopP = topP, MaxTokens = maxTokens };
        AssertOnlyError(agent, field);
    }

    [Fact]
    public void Parameters_in_range_are_valid()
    {
        var agent = Agent();
        agent.Spec.Model.Parameters = new ModelParameters { Temperature = 0.7, TopP = 0.9, MaxTokens = 2048 };
        AssertValid(agent);
    }

    [Fact]
    public void Instructions_and_instructionsFrom_are_exclusive()
    {
        var agent = Agent();
        agent.Spec.Instructions = "Be brief.";
        agent.Spec.InstructionsFrom = new ConfigMapTextSource { ConfigMapKeyRef = new ConfigMapKeyReference { Name = "prompts", Key = "system" } };
        AssertOnlyError(agent, "spec.instructionsFrom", "not both");

        agent.Spec.Instructions = null;
        AssertValid(agent);
    }

    [Fact]
    public void InstructionsFrom_needs_a_complete_reference()
    {
        var agent = Agent();
        agent.Spec.InstructionsFrom = new ConfigMapTextSource();
        AssertOnlyError(agent, "spec.instructionsFrom.configMapKeyRef");
        agent.Spec.InstructionsFrom.ConfigMapKeyRef = new ConfigMapKeyReference { Name = "prompts" };
        AssertOnlyError(agent, "spec.instructionsFrom.configMapKeyRef.key");
    }

    [Theory]
    [InlineData("DROVER_MODEL", "reserved")]
    [InlineData("1ST", "not a valid")]
    [InlineData("", "not a valid")]
    public void Env_names_are_checked(string name, string messagePart)
    {
        var agent = Agent();
        agent.Spec.Env = [new V1EnvVar { Name = name, Value = "x" }];
        AssertOnlyError(agent, "spec.env[0].name", messagePart);
    }

    [Fact]
    public void Env_names_are_unique_and_value_excludes_valueFrom()
    {
        var agent = Agent();
        agent.Spec.Env = [new V1EnvVar { Name = "A", Value = "1" }, new V1EnvVar { Name = "A", Value = "2" }];
        AssertOnlyError(agent, "spec.env[1].name", "twice");

        agent.Spec.Env = [new V1EnvVar { Name = "A", Value = "1", ValueFrom = new V1EnvVarSource() }];
        AssertOnlyError(agent, "spec.env[0].valueFrom");

        agent.Spec.Env = [new V1EnvVar { Name = "LOG_LEVEL", Value = "debug" }];
        AssertValid(agent);
    }

    [Fact]
    public void Negative_replicas_are_rejected_zero_parks()
    {
        var agent = Agent();
        agent.Spec.Replicas = -1;
        AssertOnlyError(agent, "spec.replicas", "at least 0");
        agent.Spec.Replicas = 0;
        AssertValid(agent);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Port_must_be_in_range(int port)
    {
        var agent = Agent();
        agent.Spec.Port = port;
        AssertOnlyError(agent, "spec.port", "between 1 and 65535");
    }

    [Fact]
    public void Port_needs_a_service_compatible_name()
    {
        var agent = Agent();
        agent.Metadata.Name = "1-echo";
        agent.Spec.Port = 8080;
        AssertOnlyError(agent, "metadata.name", "Service");
        agent.Metadata.Name = "echo";
        AssertValid(agent);
    }

    [Fact]
    public void Health_needs_a_port_and_an_absolute_path()
    {
        var agent = Agent();
        agent.Spec.Health = new HealthCheck { Path = "/healthz" };
        AssertOnlyError(agent, "spec.health", "spec.port");

        agent.Spec.Port = 8080;
        agent.Spec.Health.Path = "healthz";
        AssertOnlyError(agent, "spec.health.path", "'/'");

        agent.Spec.Health.Path = "/ready";
        AssertValid(agent);
    }

    [Fact]
    public void Architectures_must_be_known_and_unique()
    {
        var agent = Agent();
        agent.Spec.Placement = new Placement { Architectures = ["arm"] };
        AssertOnlyError(agent, "spec.placement.architectures[0]", "amd64, arm64");
        agent.Spec.Placement.Architectures = ["arm64", "arm64"];
        AssertOnlyError(agent, "spec.placement.architectures[1]", "twice");
        agent.Spec.Placement.Architectures = ["arm64", "amd64"];
        AssertValid(agent);
    }

    [Fact]
    public void Egress_mode_must_be_known()
    {
        var agent = Agent();
        agent.Spec.Network = new NetworkPolicySpec { Egress = "Open" };
        AssertOnlyError(agent, "spec.network.egress", "Restricted, Unrestricted");
    }

    [Fact]
    public void Egress_allow_rules_need_cidrs_and_ports_and_restricted_mode()
    {
        var agent = Agent();
        agent.Spec.Network = new NetworkPolicySpec { Egress = EgressModes.Restricted, Allow = [new EgressRule { Cidr = "10.0.0.0/33" }] };
        AssertOnlyError(agent, "spec.network.allow[0].cidr", "CIDR");

        agent.Spec.Network.Allow = [new EgressRule { Cidr = "10.0.0.0/8", Ports = [443, 0] }];
        AssertOnlyError(agent, "spec.network.allow[0].ports[1]");

        agent.Spec.Network.Allow = [new EgressRule { Cidr = "2001:db8::/32", Ports = [443] }];
        AssertValid(agent);

        agent.Spec.Network.Egress = EgressModes.Unrestricted;
        AssertOnlyError(agent, "spec.network.allow", "Restricted");
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/")]
    [InlineData("example.com")]
    public void Egress_cidrs_must_name_a_network(string cidr)
    {
        var agent = Agent();
        agent.Spec.Network = new NetworkPolicySpec { Allow = [new EgressRule { Cidr = cidr }] };
        AssertOnlyError(agent, "spec.network.allow[0].cidr", "address/prefix");
    }

    [Fact]
    public void Storage_needs_a_positive_size()
    {
        var agent = Agent();
        agent.Spec.Storage = new WorkspaceStorage();
        AssertOnlyError(agent, "spec.storage.size", "1Gi");
        agent.Spec.Storage.Size = new ResourceQuantity("0");
        AssertOnlyError(agent, "spec.storage.size", "larger than zero");
        agent.Spec.Storage.Size = new ResourceQuantity("1Gi");
        AssertValid(agent);
    }

    [Fact]
    public void Rollout_is_Replace_or_Surge_and_Surge_cannot_share_a_workspace()
    {
        var agent = Agent();
        agent.Spec.Rollout = "Blue-Green";
        AssertOnlyError(agent, "spec.rollout", "Replace, Surge");
        agent.Spec.Rollout = RolloutPolicies.Surge;
        AssertValid(agent);
        agent.Spec.Storage = new WorkspaceStorage { Size = new ResourceQuantity("1Gi") };
        AssertOnlyError(agent, "spec.rollout", "ReadWriteOnce");
        agent.Spec.Rollout = RolloutPolicies.Replace;
        AssertValid(agent);
    }

    [Fact]
    public void Storage_whenDeleted_is_Retain_or_Delete()
    {
        var agent = Agent();
        agent.Spec.Storage = new WorkspaceStorage { Size = new ResourceQuantity("1Gi"), WhenDeleted = "Keep" };
        AssertOnlyError(agent, "spec.storage.whenDeleted", "Retain, Delete");
        agent.Spec.Storage.WhenDeleted = WorkspaceRetention.Delete;
        AssertValid(agent);
    }

    [Theory]
    [InlineData(0L, null, null, "spec.securityContext.runAsUser")]
    [InlineData(null, -1L, null, "spec.securityContext.runAsGroup")]
    [InlineData(null, null, 2147483648L, "spec.securityContext.fsGroup")]
    public void Security_context_ids_are_non_root_users_and_valid_groups(long? user, long? group, long? fsGroup, string field)
    {
        var agent = Agent();
        agent.Spec.SecurityContext = new AgentSecurityContext { RunAsUser = user, RunAsGroup = group, FsGroup = fsGroup };
        AssertOnlyError(agent, field, "must be between");
        agent.Spec.SecurityContext = new AgentSecurityContext { RunAsUser = 1000, RunAsGroup = 0, FsGroup = 0 };
        AssertValid(agent);
    }

    [Fact]
    public void Budget_must_be_positive()
    {
        var agent = Agent();
        agent.Spec.Budget = new Budget { TokensPerDay = 0 };
        AssertOnlyError(agent, "spec.budget.tokensPerDay");
        agent.Spec.Budget.TokensPerDay = 100_000;
        AssertValid(agent);
    }

    [Fact]
    public void Budget_names_a_limit_a_bounded_cost_and_a_known_time_zone()
    {
        var agent = Agent();
        agent.Spec.Budget = new Budget();
        AssertOnlyError(agent, "spec.budget", "tokensPerDay, costPerDay or both");
        agent.Spec.Budget = new Budget { CostPerDay = -1m };
        AssertOnlyError(agent, "spec.budget.costPerDay", "between 0 and");
        agent.Spec.Budget = new Budget { CostPerDay = 2.50m, TimeZone = "Mars/Olympus" };
        AssertOnlyError(agent, "spec.budget.timeZone", "Mars/Olympus");
        agent.Spec.Budget = new Budget { TokensPerDay = Budget.MaxTokensPerDay + 1 };
        AssertOnlyError(agent, "spec.budget.tokensPerDay", "between 1 and");
        agent.Spec.Budget = new Budget { TokensPerDay = 50_000, CostPerDay = 2.50m, TimeZone = "Europe/Berlin" };
        AssertValid(agent);
    }

    [Theory]
    [InlineData("Gateway")]
    [InlineData("Direct")]
    [InlineData(null)]
    public void Model_access_is_gateway_or_direct(string? access)
    {
        var agent = Agent();
        agent.Spec.Model.Access = access;
        AssertValid(agent);
    }

    [Fact]
    public void Unknown_model_access_is_rejected_naming_the_choices()
    {
        var agent = Agent();
        agent.Spec.Model.Access = "Proxy";
        AssertOnlyError(agent, "spec.model.access", "Gateway, Direct");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var agent = Agent();
        agent.Spec.Image = "";
        agent.Spec.Replicas = -2;
        agent.Spec.Port = 0;
        var fields = AgentValidator.Validate(agent).Select(e => e.Field).ToList();
        Assert.Equal(["spec.image", "spec.replicas", "spec.port"], fields);
    }
}
