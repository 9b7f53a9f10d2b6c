# Multi-stage build: compile in the Rust image, run on a slim Debian with only the runtime libs.
FROM rust:1.89-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/manumit

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/manumit --create-home manumit
COPY --from=build /src/target/release/manumit /usr/local/bin/manumit
USER manumit
WORKDIR /var/lib/manumit
ENV DATABASE_URL=sqlite:///var/lib/manumit/data/manumit.db
EXPOSE 8080
ENTRYPOINT ["manumit"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
