using Htmx;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Providers;

namespace Sambung.Web.Pages.Settings;

// "Bring your own key": the user's own provider connections (unless an admin forbids them), and the default model.
public sealed class ConnectionsModel(ConnectionEditor editor, ModelCatalogue catalogue, ModelChoices models, ProviderRegistry registry,
    Marten.IDocumentSession session, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public string Path => "/settings/connections";
    public IReadOnlyList<ProviderConnection> Connections { get; private set; } = [];
    public IReadOnlyList<ProviderConnection> Instance { get; private set; } = [];
    public ModelChoice Models { get; private set; } = null!;
    public bool Allowed { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }
    public ConnectionTest? Test { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(string? kind, string? name, string? baseUrl, string? apiKey, CancellationToken ct)
    {
        var settings = await registry.SettingsAsync(ct);
        if (!settings.UserConnectionsAllowed) return await FailAsync("Connections.Forbidden", ct);
        if (ProviderKinds.Parse(kind) is not { } parsed) return await FailAsync("Connections.BadKind", ct);
        if (await editor.AddAsync(user.Id, user.Id, new NewConnection(parsed, name ?? "", baseUrl, apiKey), ct) is { } refusal)
            return await FailAsync(refusal, ct);
        return LocalRedirect("/settings/connections");
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken ct) =>
        await editor.RemoveAsync(user.Id, user.Id, id, ct) ? LocalRedirect("/settings/connections") : NotFound();

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken ct)
    {
        if (await editor.FindAsync(user.Id, id, ct) is not { } connection) return NotFound();
        Test = await ConnectionTest.RunAsync(catalogue, connection, text, ct);
        await LoadAsync(ct);
        return Request.IsHtmx() ? Partial("_ConnectionTest", Test) : Page();
    }

    public async Task<IActionResult> OnPostDefaultModelAsync(string? model, CancellationToken ct)
    {
        if (ModelRefs.Parse(model) is not { } chosen) return BadRequest();
        var account = await session.LoadAsync<SambungUser>(user.Id, ct);
        if (account is null) return NotFound();
        account.DefaultModel = ModelRefs.Format(chosen);
        session.Store(account);
        await session.SaveChangesAsync(ct);
        Message = text["Connections.DefaultSaved"];
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Allowed = (await registry.SettingsAsync(ct)).UserConnectionsAllowed;
        Connections = await editor.ListAsync(user.Id, ct);
        Instance = (await registry.AvailableToAsync(user.Id, ct)).Where(c => c.OwnerId is null).ToList();
        Models = await models.ForAsync(user.Id, await models.DefaultForAsync(user.Id, ct), ct);
    }

    private async Task<IActionResult> FailAsync(string key, CancellationToken ct)
    {
        Error = text[key];
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        await LoadAsync(ct);
        return Page();
    }
}

public sealed record ConnectionTest(Guid ConnectionId, bool Succeeded, string Message, IReadOnlyList<string> Models)
{
    public static async Task<ConnectionTest> RunAsync(ModelCatalogue catalogue, ProviderConnection connection, IStringLocalizer text, CancellationToken ct)
    {
        var listing = await catalogue.ListAsync(connection, refresh: true, ct);
        if (listing.Error is null)
            return new(connection.Id, true, text["Connections.TestOk", listing.Models.Count], listing.Models.Select(m => m.Id).Take(50).ToList());
        var parts = listing.Error.Split('|', 2);
        var kind = text[$"Reply.Error.{parts[0]}"];
        return new(connection.Id, false, parts.Length > 1 ? $"{kind} {parts[1]}" : kind, []);
    }
}

public sealed record ConnectionList(IReadOnlyList<ProviderConnection> Connections, string Action, ConnectionTest? Test);
