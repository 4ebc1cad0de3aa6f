using JasperFx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Events.Conversations;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Chats;
using Sambung.Web.Features.Providers;
using Sambung.Web.Features.Streaming;
using Wolverine;

namespace Sambung.Web.Pages;

// "/": a new, empty chat. The first message starts the conversation and opens it.
public sealed class IndexModel(IMessageBus bus, CurrentUser user, ChatProviders providers, ReplyGenerator generator,
    IStringLocalizer<SharedResource> text, RequestLimits limits) : PageModel
{
    public ComposerModel Composer { get; private set; } = ComposerModel.ForNewChat();
    public bool ProviderMissing => !providers.IsConfigured(providers.DefaultModel.Provider);

    public void OnGet() { }

    public async Task<IActionResult> OnPostStartAsync([FromForm] ComposerForm form, CancellationToken ct)
    {
        if (form.ConversationId is not { } id || form.MessageId == Guid.Empty || form.ReplyId == Guid.Empty)
            return BadRequest();
        if (limits.Message(HttpContext) is { } wait) return RateLimited.Response(HttpContext, wait);

        var cmd = new StartConversation(id, user.Id, form.MessageId, form.Text ?? "", form.ReplyId, providers.DefaultModel);
        CommandResult result;
        try
        {
            result = await bus.InvokeAsync<CommandResult>(cmd, ct);
        }
        catch (ConcurrencyException)
        {
            result = new(CommandStatus.NoChange); // the same form posted twice at once: the first one won
        }

        if (result.Status == CommandStatus.Applied) generator.Start(id, form.ReplyId, user.Id);
        if (result.Succeeded) return Redirect($"/c/{id}");

        Composer = ComposerModel.ForNewChat(form.Text ?? "", text[$"Refusal.{result.Refusal}"]);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
