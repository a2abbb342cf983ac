# NiSharp as a BIDS App (the convention: IMAGE BIDS_DIR OUTPUT_DIR participant|group [options]):
#
#   docker run --rm --network none -v /path/to/fmriprep:/data:ro -v /path/to/out:/out \
#       nisharp:VERSION /data /out participant [--participant-label 01 02]
#
# The self-contained linux-x64 nisharp (build/publish.sh writes it) on a Debian slim base: no .NET, nothing
# downloaded at run time (the atlases and templates are inside the program), a non-root user.
# build/container.sh builds it offline (a debootstrapped base tagged debian:bookworm-slim) and checks it.
FROM debian:bookworm-slim

ARG NISHARP_VERSION

# What the program needs from the system besides glibc: OpenSSL (.NET hashes with it: provenance, caches) and the
# figures' font, DejaVu Sans. build/container.sh's offline base has both already; elsewhere they are installed from
# Debian here, at build time.
RUN if [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || ! ls /usr/lib/*/libssl.so.3 >/dev/null 2>&1; then \
        apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core libssl3 && rm -rf /var/lib/apt/lists/*; \
    fi

# The user the analysis runs as (uid/gid 1000). Written directly: a minimal base need not have useradd.
RUN echo 'nisharp:x:1000:1000:NiSharp:/home/nisharp:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'nisharp:x:1000:' >> /etc/group \
 && mkdir -p /home/nisharp && chown 1000:1000 /home/nisharp

COPY artifacts/nisharp-${NISHARP_VERSION}-linux-x64/ /opt/nisharp/
RUN ln -s /opt/nisharp/nisharp /usr/local/bin/nisharp && nisharp --version

USER 1000:1000
WORKDIR /home/nisharp
ENV HOME=/home/nisharp
LABEL org.opencontainers.image.title="NiSharp" \
      org.opencontainers.image.description="Resting-state functional connectivity on fMRIPrep outputs (BIDS App)" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${NISHARP_VERSION}"
ENTRYPOINT ["nisharp", "run"]
