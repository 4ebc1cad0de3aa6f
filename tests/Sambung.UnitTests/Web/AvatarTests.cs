using Sambung.Web.Features.Accounts;

namespace Sambung.UnitTests.Web;

public sealed class AvatarTests
{
    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0 }, "image/jpeg")]
    [InlineData(new byte[] { (byte)'R', (byte)'I', (byte)'F', (byte)'F', 1, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P', 0 }, "image/webp")]
    public void images_are_recognised_by_their_bytes(byte[] data, string type) => Assert.Equal(type, Avatars.ContentTypeOf(data));

    [Theory]
    [InlineData("<html><body>hi</body></html>")]
    [InlineData("<svg xmlns='http://www.w3.org/2000/svg'/>")]
    [InlineData("GIF89a")]
    [InlineData("RIFF0000WAVE")]
    [InlineData("")]
    public void anything_else_is_not_an_avatar(string content) =>
        Assert.Null(Avatars.ContentTypeOf(System.Text.Encoding.UTF8.GetBytes(content)));
}
