package integration

import (
	"math"
	"reflect"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/cairn-db/cairn/server/servertest"
)

// TestGoRedisGeo drives the geo commands through go-redis's typed API,
// in RESP2 and RESP3 (coordinates are doubles in RESP3).
func TestGoRedisGeo(t *testing.T) {
	addr := servertest.Start(t).Addr()
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
		defer rdb.Close()
		rdb.Del(ctx, "Sicily", "near", "dists")
		n, err := rdb.GeoAdd(ctx, "Sicily",
			&redis.GeoLocation{Name: "Palermo", Longitude: 13.361389, Latitude: 38.115556},
			&redis.GeoLocation{Name: "Catania", Longitude: 15.087269, Latitude: 37.502669}).Result()
		if err != nil || n != 2 {
			t.Fatalf("resp%d GEOADD = %d, %v", proto, n, err)
		}
		pos, err := rdb.GeoPos(ctx, "Sicily", "Palermo", "nope").Result()
		if err != nil || len(pos) != 2 || pos[1] != nil ||
			math.Abs(pos[0].Longitude-13.361389) > 1e-5 || math.Abs(pos[0].Latitude-38.115556) > 1e-5 {
			t.Fatalf("resp%d GEOPOS = %v, %v", proto, pos, err)
		}
		if d := rdb.GeoDist(ctx, "Sicily", "Palermo", "Catania", "km").Val(); d != 166.2742 {
			t.Fatalf("resp%d GEODIST = %v", proto, d)
		}
		if h := rdb.GeoHash(ctx, "Sicily", "Palermo", "Catania").Val(); !reflect.DeepEqual(h, []string{"sqc8b49rny0", "sqdtr74hyu0"}) {
			t.Fatalf("resp%d GEOHASH = %v", proto, h)
		}
		locs, err := rdb.GeoSearchLocation(ctx, "Sicily", &redis.GeoSearchLocationQuery{
			GeoSearchQuery: redis.GeoSearchQuery{Longitude: 15, Latitude: 37, Radius: 200, RadiusUnit: "km", Sort: "ASC"},
			WithCoord:      true, WithDist: true, WithHash: true,
		}).Result()
		if err != nil || len(locs) != 2 || locs[0].Name != "Catania" || locs[0].Dist != 56.4413 ||
			locs[1].Name != "Palermo" || locs[1].Dist != 190.4424 || locs[0].GeoHash != 3479447370796909 ||
			math.Abs(locs[0].Longitude-15.087269) > 1e-5 {
			t.Fatalf("resp%d GEOSEARCH = %+v, %v", proto, locs, err)
		}
		names := rdb.GeoSearch(ctx, "Sicily", &redis.GeoSearchQuery{
			Member: "Palermo", BoxWidth: 400, BoxHeight: 400, BoxUnit: "km", Sort: "DESC", Count: 1}).Val()
		if !reflect.DeepEqual(names, []string{"Catania"}) {
			t.Fatalf("resp%d GEOSEARCH BYBOX = %v", proto, names)
		}
		if n := rdb.GeoSearchStore(ctx, "Sicily", "dists", &redis.GeoSearchStoreQuery{
			GeoSearchQuery: redis.GeoSearchQuery{Longitude: 15, Latitude: 37, Radius: 100, RadiusUnit: "km"},
			StoreDist:      true}).Val(); n != 1 {
			t.Fatalf("resp%d GEOSEARCHSTORE = %d", proto, n)
		}
		if s := rdb.ZScore(ctx, "dists", "Catania").Val(); math.Abs(s-56.4413) > 1e-4 {
			t.Fatalf("resp%d stored distance = %v", proto, s)
		}
		rl, err := rdb.GeoRadius(ctx, "Sicily", 15, 37, &redis.GeoRadiusQuery{Radius: 200, Unit: "km", WithDist: true, Sort: "ASC"}).Result()
		if err != nil || len(rl) != 2 || rl[0].Name != "Catania" || rl[0].Dist != 56.4413 {
			t.Fatalf("resp%d GEORADIUS_RO = %+v, %v", proto, rl, err)
		}
		if n := rdb.GeoRadiusStore(ctx, "Sicily", 15, 37, &redis.GeoRadiusQuery{Radius: 200, Unit: "km", Store: "near"}).Val(); n != 2 {
			t.Fatalf("resp%d GEORADIUS STORE = %d", proto, n)
		}
		rm := rdb.GeoRadiusByMember(ctx, "Sicily", "Palermo", &redis.GeoRadiusQuery{Radius: 100, Unit: "km"}).Val()
		if len(rm) != 1 || rm[0].Name != "Palermo" {
			t.Fatalf("resp%d GEORADIUSBYMEMBER_RO = %+v", proto, rm)
		}
		if n := rdb.GeoRadiusByMemberStore(ctx, "Sicily", "Palermo", &redis.GeoRadiusQuery{Radius: 300, Unit: "km", Store: "near"}).Val(); n != 2 {
			t.Fatalf("resp%d GEORADIUSBYMEMBER STORE = %d", proto, n)
		}
	}
}
