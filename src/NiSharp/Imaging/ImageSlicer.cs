using System.Numerics;
using NiSharp.Nifti;

namespace NiSharp.Imaging;

/// <summary>
/// nibabel's <c>img.slicer</c> with C# ranges: <c>img.Slicer[.., .., .., 4..]</c> is <c>img.slicer[:, :, :, 4:]</c>,
/// <c>img.Slicer[59..60, 45..46, 30..31, ..]</c> one voxel's time series, <c>img.Slicer[.., .., .., 4]</c> the fifth
/// volume (3D). Each position is a <see cref="PySlice"/>, so an <c>int</c>, a <see cref="Range"/>, an
/// <see cref="Index"/> (<c>^1</c>) or <c>PySlice.Parse("::2")</c> all work. See <see cref="Volumes.Index{T}(Image{T}, PySlice?, PySlice?, PySlice?, PySlice?)"/>
/// for the rules (a spatial single index keeps its axis; the affine follows the block).
/// </summary>
public readonly struct ImageSlicer<T>(Image<T> image) where T : unmanaged, INumber<T>
{
    /// <summary>A spatial block of every volume: <c>img.slicer[x, y, z]</c>.</summary>
    public Image<T> this[PySlice x, PySlice y, PySlice z] => image.Index(volumes: null, x, y, z);

    /// <summary>A spatial block of some volumes: <c>img.slicer[x, y, z, t]</c> (a single <paramref name="t"/> gives a 3D image).</summary>
    public Image<T> this[PySlice x, PySlice y, PySlice z, PySlice t] => image.Index(t, x, y, z);
}

/// <summary>The <c>Slicer</c> property of images (<see cref="ImageSlicer{T}"/>).</summary>
public static class ImageSlicing
{
    extension<T>(Image<T> image) where T : unmanaged, INumber<T>
    {
        /// <summary>nibabel's <c>img.slicer</c>: index the image with ranges, e.g. <c>img.Slicer[.., .., .., 4..]</c>.</summary>
        public ImageSlicer<T> Slicer => new(image);
    }
}
