using Sekisho.Model.Rules;
using Sekisho.Model.Serialization;
using Sekisho.Testing;
using Sekisho.Web.Pages.Policy;
using Sekisho.Web.Services;

namespace Sekisho.Web.Tests;

/// <summary>The rule form loses nothing: every rule of the full sample comes back from its fields as it was.</summary>
public sealed class RuleFormTests
{
    [Fact]
    public void Every_sample_rule_survives_the_form()
    {
        var policy = PolicySamples.Full();
        var objects = new RuleFormObjects(policy.AddressGroups, policy.KeywordLists, policy.Notifications);
        foreach (var rule in policy.Rules)
        {
            var errors = new FieldErrors();
            var back = RuleForm.From(rule, objects).ToRule(rule, objects, errors);
            Assert.True(errors.Count == 0, rule.Name + ": " + string.Join(" | ", errors.All));
            Assert.NotNull(back);
            // Criteria with their own fields come first after a round trip; the set is the same.
            Assert.Equal(rule.Criteria.Items.Select(c => ModelJson.Serialize(c)).Order(), back.Criteria.Items.Select(c => ModelJson.Serialize(c)).Order());
            Assert.Equal(rule.Criteria.Match, back.Criteria.Match);
            Assert.Equal(ModelJson.Serialize(rule with { Criteria = CriteriaSet.Empty }), ModelJson.Serialize(back with { Criteria = CriteriaSet.Empty }));
        }
    }
}
