"""DistrictElectionWorkflow: one child CommunityElectionWorkflow per community of a district."""
