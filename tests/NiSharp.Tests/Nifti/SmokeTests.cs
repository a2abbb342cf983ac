using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Nifti;

public class SmokeTests
{
    [Fact]
    public void Float32_image_round_trips_through_gzip()
    {
        using var dir = new TempDir();
        var img = new Image<float>([3, 4, 5], Affine.Diagonal(2, 2, 2, -3, -4, -5), Enumerable.Range(0, 60).Select(i => i * 0.5f).ToArray());
        img.Save(dir.File("a.nii.gz"));
        var back = Image.Load(dir.File("a.nii.gz"));
        Assert.Equal(img.Shape, back.Shape);
        Assert.Equal(img.Data, back.Data);
        Assert.True(img.Affine.AllClose(back.Affine, 0, 1e-6));
    }
}
