using Htmx;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Sambung.Web.Features.Accounts;
using Sambung.Web.Features.Providers;
using Sambung.Web.Pages.Settings;

namespace Sambung.Web.Pages.Admin;

// The instance's provider connections (beside those from environment variables), whether users may bring their
// own keys, and the instance's default model.
public sealed class ConnectionsModel(ConnectionEditor editor, ModelCatalogue catalogue, ModelChoices models, ProviderRegistry registry,
    IDocumentSession session, CurrentUser user, IStringLocalizer<SharedResource> text) : PageModel
{
    public string Path => "/admin/connections";
    public IReadOnlyList<ProviderConnection> Connections { get; private set; } = [];
    public IReadOnlyList<ProviderConnection> FromEnvironment => registry.EnvironmentConnections;
    public ProviderSettings Settings { get; private set; } = new();
    public ModelChoice Models { get; private set; } = null!;
    public ConnectionTest? Test { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAddAsync(string? kind, string? name, string? baseUrl, string? apiKey, CancellationToken ct)
    {
        if (ProviderKinds.Parse(kind) is not { } parsed) return await FailAsync("Connections.BadKind", ct);
        if (await editor.AddAsync(null, user.Id, new NewConnection(parsed, name ?? "", baseUrl, apiKey), ct) is { } refusal)
            return await FailAsync(refusal, ct);
        return LocalRedirect(Path);
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken ct) =>
        await editor.RemoveAsync(null, user.Id, id, ct) ? LocalRedirect(Path) : NotFound();

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken ct)
    {
        var connection = await editor.FindAsync(null, id, ct) ?? registry.EnvironmentConnections.FirstOrDefault(c => c.Id == id);
        if (connection is null) return NotFound();
        Test = await ConnectionTest.RunAsync(catalogue, connection, text, ct);
        await LoadAsync(ct);
        return Request.IsHtmx() ? Partial("/Pages/Settings/_ConnectionTest.cshtml", Test) : Page();
    }

    public async Task<IActionResult> OnPostSettingsAsync(bool userConnectionsAllowed, string? model, string? fallbackModels, CancellationToken ct)
    {
        var settings = await session.LoadAsync<ProviderSettings>(ProviderSettings.DocumentId, ct) ?? new ProviderSettings();
        settings.UserConnectionsAllowed = userConnectionsAllowed;
        settings.FallbackModels = [.. Sambung.Web.Features.Streaming.FallbackChain.Parse(fallbackModels).Take(5).Select(ModelRefs.Format)];
        settings.DefaultModel = ModelRefs.Parse(model) is { } chosen ? ModelRefs.Format(chosen) : settings.DefaultModel;
        session.Store(settings);
        await session.SaveChangesAsync(ct);
        Message = text["Admin.Saved"];
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Settings = await registry.SettingsAsync(ct);
        Connections = await editor.ListAsync(null, ct);
        Models = await models.ForAsync(user.Id, ModelRefs.Parse(Settings.DefaultModel) ?? registry.DefaultModel(Settings, await registry.AvailableToAsync(user.Id, ct)), ct);
    }

    private async Task<IActionResult> FailAsync(string key, CancellationToken ct)
    {
        Error = text[key];
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        await LoadAsync(ct);
        return Page();
    }
}
