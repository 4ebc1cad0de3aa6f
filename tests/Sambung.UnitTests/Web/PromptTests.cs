using Microsoft.Extensions.AI;
using Sambung.Events.Conversations;
using Sambung.Projections.Conversations;
using Sambung.Web.Features.Streaming;

namespace Sambung.UnitTests.Web;

public sealed class PromptTests
{
    [Fact]
    public void the_model_sees_the_system_prompt_then_the_path_without_empty_replies()
    {
        TreeNode[] path =
        [
            new() { Kind = NodeKind.User, Text = "Hi" },
            new() { Kind = NodeKind.Assistant, Text = "", Status = ReplyStatus.Failed },
            new() { Kind = NodeKind.Assistant, Text = "Hello!" },
            new() { Kind = NodeKind.User, Text = "Bye" },
        ];

        var messages = Prompt.Build("Be kind.", path);

        Assert.Equal(
            [(ChatRole.System, "Be kind."), (ChatRole.User, "Hi"), (ChatRole.Assistant, "Hello!"), (ChatRole.User, "Bye")],
            messages.Select(m => (m.Role, m.Text)));
    }

    [Fact]
    public void without_a_system_prompt_there_is_no_system_message() =>
        Assert.All(Prompt.Build(" ", [new TreeNode { Kind = NodeKind.User, Text = "Hi" }]), m => Assert.NotEqual(ChatRole.System, m.Role));
}
