//! The pure scoring engine: inherent, forced labour (ILO), front business and networks, screening.
