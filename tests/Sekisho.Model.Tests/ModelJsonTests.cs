using System.Text.Json;
using Sekisho.Model;
using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Model.Validation;
using Sekisho.Testing;

namespace Sekisho.Model.Tests;

public class ModelJsonTests
{
    [Fact]
    public void Full_policy_round_trips_through_json_without_loss()
    {
        var policy = PolicySamples.Full();
        var json = ModelJson.Serialize(policy, indented: true);
        var back = ModelJson.Deserialize<PolicySnapshot>(json);
        Assert.Equal(json, ModelJson.Serialize(back, indented: true));
        Assert.Equal(6, back.Rules.Count);
        var content = back.Rules.Single(r => r.Id == "r-content");
        Assert.Equal(20, content.Criteria.Items.Count);
        Assert.Equal(MatchMode.All, content.Criteria.Match);
        Assert.IsType<ChangeRecipient>(content.Actions.Intercept);
        Assert.Equal(MigrationStatus.NeedsFix, content.Migration!.Status);
    }

    [Fact]
    public void Json_uses_kebab_case_names_and_readable_values()
    {
        var json = ModelJson.Serialize(PolicySamples.Full());
        Assert.Contains("\"status\":\"needs-fix\"", json);
        Assert.Contains("\"criterion\":\"attachment-true-type\"", json);
        Assert.Contains("\"action\":\"change-recipient\"", json);
        Assert.Contains("\"level\":\"moderately-low\"", json);
        Assert.Contains("\"from\":\"22:00\"", json);
        Assert.Contains("\"*@*.partner.example\"", json);
        Assert.Contains("\"soft-fail\":", json);
    }

    [Fact]
    public void Discriminator_may_come_after_other_members()
    {
        var c = ModelJson.Deserialize<Criterion>("""{"bytes": 10, "comparison": "greater-than", "criterion": "message-size"}""");
        Assert.Equal(new MessageSize(Comparison.GreaterThan, 10), c);
    }

    [Theory]
    [InlineData("""{"criterion": "no-such-thing"}""")]
    [InlineData("""{"criterion": "message-size", "bytes": 10, "comparison": "bigger"}""")]
    [InlineData("""{"criterion": "message-size", "bytes": 10, "comparison": "greater-than", "extra": 1}""")]
    public void Unknown_values_and_members_are_rejected(string json) =>
        Assert.ThrowsAny<JsonException>(() => ModelJson.Deserialize<Criterion>(json));

    [Fact]
    public void Bad_address_pattern_is_a_json_error_that_says_what_to_write()
    {
        var e = Assert.ThrowsAny<JsonException>(() => ModelJson.Deserialize<Participant>("""{"kind": "address", "pattern": "user@@example"}"""));
        Assert.Contains("*@example.com", e.Message);
    }

    [Fact]
    public void The_full_sample_policy_is_valid()
    {
        var problems = PolicyValidator.Validate(PolicySamples.Full());
        Assert.Empty(problems);
    }
}
